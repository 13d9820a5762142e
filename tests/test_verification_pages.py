"""Verification as staff and visitors see it: the profile's line, the list's filter and
sort (public index and staff SQL), the admin's action and filter, data quality, imports."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations import verification
from organisations.factories import OrganisationFactory, OrganisationIdentifierFactory
from organisations.models import Organisation
from organisations.verification import record_verification
from surveys.service import apply_import
from surveys.undoing import undo_batch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    mapping_fixture,
    reference_export,
    world_fixture,
)

pytestmark = pytest.mark.django_db

LIST = reverse("directory:organisation_list")


@pytest.fixture
def verified_world():
    now = timezone.now()
    recent = OrganisationFactory(name="Bénévoles vérifiés")
    record_verification(recent, "organisation", when=now - timedelta(days=20))
    newest = OrganisationFactory(name="Zénith vérifiée hier")
    record_verification(newest, "staff", when=now - timedelta(days=1))
    old = OrganisationFactory(name="Ancienne vérification")
    record_verification(old, "import", when=now - timedelta(days=500))
    never = OrganisationFactory(name="Aucune vérification")
    OrganisationFactory(name="Brouillon jamais vérifié", status="draft")
    return {"recent": recent, "newest": newest, "old": old, "never": never}


def _names(response) -> list[str]:
    return [organisation.name for organisation in response.context["page"].object_list]


# The profile ---------------------------------------------------------------------------


def test_the_profile_says_when_and_by_whom_information_was_verified(client):
    organisation = OrganisationFactory()
    when = timezone.make_aware(timezone.datetime(2026, 3, 14, 10, 0))
    record_verification(organisation, "organisation", when=when)

    page = client.get(organisation.get_absolute_url()).content.decode()
    english = client.get("/en" + organisation.get_absolute_url()).content.decode()

    assert (
        'Informations vérifiées le <time datetime="2026-03-14T10:00:00+00:00">14 mars 2026</time> '
        "par l’organisation elle-même."
    ) in page
    assert "Information verified on" in english
    assert "by the organisation itself." in english


def test_the_profile_says_when_information_was_never_verified(client):
    organisation = OrganisationFactory()

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "Informations pas encore vérifiées." in page


# The list, for the public (in-memory index) and for staff (SQL) --------------------------


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_list_filters_by_verification(request, who, verified_world):
    client = request.getfixturevalue("client" if who == "public" else "staff_client")

    recent = _names(client.get(LIST, {"verified": "recent"}))
    due = _names(client.get(LIST, {"verified": "due"}))
    both = _names(client.get(LIST, {"verified": ["recent", "due"]}))

    assert recent == ["Bénévoles vérifiés", "Zénith vérifiée hier"]
    expected_due = ["Ancienne vérification", "Aucune vérification"]
    if who == "staff":  # staff see drafts too
        expected_due.append("Brouillon jamais vérifié")
    assert due == expected_due
    assert sorted(both) == sorted(recent + due)


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_list_sorts_by_last_verification(request, who, verified_world):
    client = request.getfixturevalue("client" if who == "public" else "staff_client")

    names = _names(client.get(LIST, {"sort": "-verified"}))

    expected = [
        "Zénith vérifiée hier",
        "Bénévoles vérifiés",
        "Ancienne vérification",
        "Aucune vérification",  # never verified last, by name
    ]
    if who == "staff":
        expected.append("Brouillon jamais vérifié")
    assert names == expected


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_list_counts_each_verification_state(request, who, verified_world):
    client = request.getfixturevalue("client" if who == "public" else "staff_client")

    response = client.get(LIST, {"verified": "recent"})

    facet = next(f for f in response.context["facets"] if f.name == "verified")
    counts = {option.value: (option.count, option.selected) for option in facet.options}
    # Each option counts what choosing it would give, whatever else is chosen in the facet.
    assert counts == {"recent": (2, True), "due": (3 if who == "staff" else 2, False)}
    page = response.content.decode()
    assert "Vérifiées dans les 12 derniers mois" in page
    assert "Dernière vérification" in page


@pytest.mark.parametrize("who", ["public", "staff"])
def test_a_record_falls_due_as_time_passes_without_any_write(
    request, who, verified_world, monkeypatch
):
    client = request.getfixturevalue("client" if who == "public" else "staff_client")
    assert "Bénévoles vérifiés" in _names(client.get(LIST, {"verified": "recent"}))

    # Twenty days later than a ten-day period: as a year and a day after a verification.
    monkeypatch.setattr(verification, "VERIFICATION_PERIOD", timedelta(days=10))

    assert _names(client.get(LIST, {"verified": "recent"})) == ["Zénith vérifiée hier"]
    assert "Bénévoles vérifiés" in _names(client.get(LIST, {"verified": "due"}))


def test_the_list_refuses_an_unknown_verification_value(client):
    response = client.get(LIST, {"verified": "sometimes"})

    assert response.status_code == 400


# The admin ----------------------------------------------------------------------------


def test_staff_confirm_information_verified_in_a_few_queries(
    staff_client, django_assert_max_num_queries
):
    organisations = [OrganisationFactory(name=f"Association {n}") for n in range(20)]
    url = reverse("admin:organisations_organisation_changelist")

    with django_assert_max_num_queries(25):
        response = staff_client.post(
            url,
            {"action": "confirm_verified", "_selected_action": [o.pk for o in organisations]},
            follow=False,
        )

    assert response.status_code == 302
    for organisation in organisations:
        organisation.refresh_from_db()
        assert organisation.verified_by == "staff"
        assert timezone.now() - organisation.verified_at < timedelta(minutes=1)
        assert organisation.version == 2
        latest = organisation.history.first()
        assert (latest.verified_by, latest.history_user) == ("staff", staff_client.user)
        assert latest.history_change_reason == "Informations vérifiées par l’équipe"


def test_the_admin_list_filters_by_verification(staff_client, verified_world):
    url = reverse("admin:organisations_organisation_changelist")

    due = staff_client.get(url, {"verification": "due"}).context["cl"].result_list
    recent = staff_client.get(url, {"verification": "recent"}).context["cl"].result_list

    assert {o.name for o in due} == {
        "Ancienne vérification",
        "Aucune vérification",
        "Brouillon jamais vérifié",
    }
    assert {o.name for o in recent} == {"Bénévoles vérifiés", "Zénith vérifiée hier"}


def test_the_admin_page_shows_the_verification_read_only(staff_client, verified_world):
    url = reverse("admin:organisations_organisation_change", args=[verified_world["old"].pk])

    response = staff_client.get(url)

    assert "verified_at" not in response.context["adminform"].form.fields
    assert "une enquête importée" in response.content.decode()


def test_data_quality_lists_records_not_verified_for_a_year_oldest_first(
    staff_client, verified_world
):
    OrganisationFactory(name="Archivée", status="archived")

    response = staff_client.get(reverse("crm:data_quality"))

    lists = {
        q.slug: (count, [o.name for o in rows]) for q, count, rows in response.context["lists"]
    }
    assert lists["not-verified"] == (
        3,
        ["Aucune vérification", "Brouillon jamais vérifié", "Ancienne vérification"],
    )
    page = response.content.decode()
    change = reverse("admin:organisations_organisation_change", args=[verified_world["old"].pk])
    assert f'href="{change}"' in page
    assert "?verification=due" in page


# Survey imports -----------------------------------------------------------------------


@pytest.fixture
def surveyed(world):
    """An organisation the survey describes, verified by staff two years ago."""
    organisation = OrganisationFactory(
        name="Association Malienne des Expulsés", acronym="AME", year_founded=None, typology=None
    )
    OrganisationIdentifierFactory(
        organisation=organisation, scheme="kobo-uuid", value=EXAMPLE_SUBMISSIONS[0]["_uuid"]
    )
    record_verification(organisation, "staff", when=timezone.now() - timedelta(days=730))
    organisation.refresh_from_db()
    return organisation


def test_an_import_records_a_verification_for_each_row_it_applies(mapping, surveyed):
    plan, batch = apply_import(
        reference_export(EXAMPLE_SUBMISSIONS), "kobo.xlsx", mapping, None, on_existing="fill"
    )

    assert [row.action for row in plan.rows] == ["update", "new", "new"]
    imported = Organisation.objects.filter(pk__in=[row.organisation_id for row in plan.rows[:1]])
    created = Organisation.objects.exclude(pk=surveyed.pk)
    for organisation in [*imported, *created]:
        assert organisation.verified_by == "import"
        assert organisation.verified_at == batch.applied_at
    assert surveyed.history.first().verified_by == "import"


def test_undoing_an_import_restores_the_previous_verification(mapping, surveyed):
    before = (surveyed.verified_at, surveyed.verified_by)
    _plan, batch = apply_import(
        reference_export(EXAMPLE_SUBMISSIONS), "kobo.xlsx", mapping, None, on_existing="fill"
    )

    undo_batch(batch, None)

    surveyed.refresh_from_db()
    assert (surveyed.verified_at, surveyed.verified_by) == before
