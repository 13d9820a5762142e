"""Numbers written with "¹", "²" or "①" (str.isdigit() is true, int() refuses them) are
refused like any other non-number, never a server error."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from tests.export_world import build_export_world
from tests.import_world import (  # noqa: F401
    mapping_fixture,
    reference_export,
    workbook_sheets,
    world_fixture,
)

pytestmark = pytest.mark.django_db

NOT_PLAIN_DIGITS = ["¹", "²", "①", "١"]


@pytest.mark.parametrize("key", NOT_PLAIN_DIGITS)
def test_it_answers_404_for_a_zone_written_with_other_digits(client, key):
    build_export_world()
    response = client.get(reverse("api:zone-detail", args=[key]))
    assert response.status_code == 404


@pytest.mark.parametrize("key", NOT_PLAIN_DIGITS)
def test_it_shows_every_country_in_the_needs_overview_for_another_digit(staff_client, key):
    response = staff_client.get(reverse("crm:needs_overview"), {"country": key})
    assert response.status_code == 200
    assert "Pays inconnu" in response.content.decode()


def test_it_refuses_a_merge_of_organisations_named_with_other_digits(staff_client):
    organisation = OrganisationFactory()
    response = staff_client.get(
        reverse("crm:merge"), {"first": "²", "second": str(organisation.pk)}
    )
    assert response.status_code == 404


def test_it_refuses_a_confirmed_match_written_with_other_digits(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([{"identification/nom_osc": "A"}]))
    with pytest.raises(CommandError, match="ROW=ORGANISATION_ID"):
        call_command("import_survey", str(path), "--mapping", "reference", "--confirm-match", "²=1")


def test_it_reports_a_founding_year_written_with_superscripts(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    errors = tmp_path / "errors.xlsx"
    path.write_bytes(
        reference_export([{"identification/nom_osc": "A", "historique/annee_creation": "¹⁹⁹⁶"}])
    )
    with pytest.raises(CommandError, match="Lignes en erreur"):
        call_command(
            "import_survey", str(path), "--mapping", "reference", "--errors-file", str(errors)
        )
    assert (
        "« ¹⁹⁹⁶ » n’est pas un nombre entier"
        in workbook_sheets(errors.read_bytes())["erreurs"][1][3]
    )
    assert Organisation.objects.count() == 0
