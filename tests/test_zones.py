"""The tree of places and "organisations working in zone Z or below"."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.factories import OrganisationFactory, ZoneFactory
from organisations.models import Organisation, Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def mali():
    mali = ZoneFactory(name="Mali", iso_code="ML")
    kayes_region = Zone.objects.create(name="Kayes", level="region", parent=mali, iso_code="ML-1")
    kayes_cercle = Zone.objects.create(name="Kayes", level="cercle", parent=kayes_region)
    kayes_town = Zone.objects.create(name="Kayes", level="commune", parent=kayes_cercle)
    yelimane = Zone.objects.create(name="Yélimané", level="cercle", parent=kayes_region)
    koulikoro = Zone.objects.create(name="Koulikoro", level="region", parent=mali, iso_code="ML-2")
    return {
        "mali": mali,
        "kayes_region": kayes_region,
        "kayes_cercle": kayes_cercle,
        "kayes_town": kayes_town,
        "yelimane": yelimane,
        "koulikoro": koulikoro,
    }


def test_a_cercle_organisation_is_found_under_its_region_and_country(mali):
    omrib = OrganisationFactory(name="OMRIB", zones=[mali["yelimane"]])
    assert list(Organisation.objects.in_zone(mali["kayes_region"])) == [omrib]
    assert list(Organisation.objects.in_zone(mali["mali"])) == [omrib]
    assert list(Organisation.objects.in_zone(mali["koulikoro"])) == []


def test_kayes_the_region_is_not_kayes_the_cercle(mali):
    region_org = OrganisationFactory(zones=[mali["kayes_region"]])
    cercle_org = OrganisationFactory(zones=[mali["kayes_cercle"]])
    assert mali["kayes_region"].pk != mali["kayes_cercle"].pk
    assert set(Organisation.objects.in_zone(mali["kayes_region"])) == {region_org, cercle_org}
    assert list(Organisation.objects.in_zone(mali["kayes_cercle"])) == [cercle_org]
    assert str(mali["kayes_cercle"]) != str(mali["kayes_region"])


def test_a_zone_working_in_two_descendants_is_counted_once(mali):
    OrganisationFactory(zones=[mali["yelimane"], mali["kayes_town"]])
    assert Organisation.objects.in_zone(mali["kayes_region"]).count() == 1


def test_the_same_name_at_the_same_level_in_the_same_parent_is_refused(mali):
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.create(name="Yélimané", level="cercle", parent=mali["kayes_region"])


def test_two_countries_cannot_share_a_name():
    ZoneFactory(name="Niger")
    with pytest.raises(IntegrityError), transaction.atomic():
        ZoneFactory(name="Niger")


def test_iso_codes_are_unique(mali):
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.create(name="Autre", level="region", parent=mali["mali"], iso_code="ML-1")


def test_only_countries_are_roots():
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.create(name="Île-de-France", level="region")


def test_a_region_cannot_sit_inside_a_cercle(mali):
    zone = Zone(name="Bizarre", level="region", parent=mali["yelimane"])
    with pytest.raises(ValidationError):
        zone.full_clean()


def test_moving_a_zone_moves_its_subtree_and_keeps_its_organisations(mali):
    """The 2023 reform turned cercles into regions: staff re-parent, nothing is lost."""
    kangaba_parent = Zone.objects.create(name="Nioro", level="region", parent=mali["mali"])
    village = Zone.objects.create(name="Village", level="locality", parent=mali["kayes_town"])
    organisation = OrganisationFactory(zones=[village])
    cercle = mali["kayes_cercle"]
    cercle.parent = kangaba_parent
    cercle.save()
    village.refresh_from_db()
    assert village.path.startswith(kangaba_parent.path)
    assert list(Organisation.objects.in_zone(kangaba_parent)) == [organisation]
    assert list(Organisation.objects.in_zone(mali["kayes_region"])) == []


def test_ancestors_are_listed_from_the_top(mali):
    assert mali["kayes_town"].ancestors() == [
        mali["mali"],
        mali["kayes_region"],
        mali["kayes_cercle"],
    ]


def test_the_update_moves_a_territory_seeded_under_mali_to_its_cercle():
    mali = Zone.objects.create(name="Mali", level="country", iso_code="ML")
    region = Zone.objects.create(name="Kayes", level="region", parent=mali)
    cercle = Zone.objects.create(name="Kayes", level="cercle", parent=region)
    territory = Zone.objects.create(name="Guidimakha", level="territory", parent=mali)
    village = Zone.objects.create(name="Village", level="locality", parent=territory)
    migration = importlib.import_module(
        "organisations.migrations.0004_territories_under_their_cercle"
    )

    migration.move_under_kayes(apps, None)

    territory.refresh_from_db()
    village.refresh_from_db()
    assert territory.parent == cercle
    assert territory.path == f"{cercle.path}{territory.pk}/"
    assert village.path == f"{territory.path}{village.pk}/"
    assert list(Zone.objects.filter(path__startswith=mali.path, level="region")) == [region]
