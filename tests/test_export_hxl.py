"""The HXL export: the CSV export with a hashtag row under the header."""

import csv
import io

import pytest
from django.urls import reverse

from services.factories import ServiceFactory
from services.models import Language, PopulationGroup
from tests.export_world import PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db


def test_hashtag_row_and_cells_of_a_known_organisation(staff_client):
    world = build_export_world()
    ServiceFactory(
        organisation=world.ame,
        name="Accueil à l'aéroport",
        populations=PopulationGroup.objects.filter(
            slug__in=["migrants-expulses", "migrants-de-retour"]
        ),
        languages=Language.objects.filter(code="bm"),
    )
    ServiceFactory(
        organisation=world.ame, name="Écoute", languages=Language.objects.filter(code="bm")
    )
    ServiceFactory(organisation=world.ame, name="SERVICE-BROUILLON", status="draft")
    response = staff_client.get(reverse("exports:hxl"), {"zone": world.kayes.pk})
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[1] == [
        "#org +code",
        "#org +name",
        "#org +acronym",
        "#org +type",
        "#sector",
        "#country +code",
        "#adm1 +name",
        "#adm1 +code",
        "#adm2 +name",
        "#contact +email",
        "#contact +phone",
        "#contact +url",
        "#activity +name",
        "#activity +targeted",
        "#activity +language",
    ]
    assert rows[2:] == [
        [
            "ame",
            "Association Malienne des Expulsés",
            "AME",
            "Associations de migrants de retour",
            "Protection ; Réinsertion",
            "ML",
            "Kayes",
            "ML-1",
            "Bafoulabé",
            "expulsesmaliensbasta@yahoo.fr",
            "'+22320241122 ; +22366772111",
            "www.expulsesmaliens.info",
            "Accueil à l'aéroport ; Écoute",
            "Migrants de retour ; Migrants expulsés ou refoulés",
            "Bambara",
        ]
    ]
    # An open-data format: public data only, even for staff.
    assert PRIVATE_PHONE not in body
    assert "brouillon" not in body
    assert "SERVICE-BROUILLON" not in body
