"""Merging a duplicate into the kept record moves every link, in one transaction."""

import pytest
from django.conf import settings
from django.urls import reverse

from crm.factories import AssignmentFactory, InteractionFactory
from crm.merge import MergeError, merge_organisations
from needs.factories import NeedCategoryFactory, OrganisationNeedFactory
from networks.factories import MembershipFactory, NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationIdentifierFactory,
    PartnerFactory,
    PartnershipFactory,
    RegionFactory,
    ThemeFactory,
)
from organisations.history import part_changes
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    shared_zone, shared_partner, shared_need = (
        RegionFactory(),
        PartnerFactory(),
        NeedCategoryFactory(),
    )
    kept = OrganisationFactory(name="Maison du Migrant", acronym="MDM", zones=[shared_zone])
    duplicate = OrganisationFactory(
        name="Maison des Migrants de Gao", acronym="MMG", zones=[shared_zone, RegionFactory()]
    )
    ThemeFactory()
    duplicate_theme = ThemeFactory()
    duplicate.theme_links.create(theme=duplicate_theme)
    ContactChannelFactory(organisation=kept, value="+22387313308")
    ContactChannelFactory(organisation=duplicate, value="+22387313308", label="Bureau")
    ContactChannelFactory(organisation=duplicate, kind="email", value="mdm@exemple.org")
    PartnershipFactory(organisation=kept, partner=shared_partner, description="")
    PartnershipFactory(organisation=duplicate, partner=shared_partner, description="Formation")
    OrganisationNeedFactory(organisation=kept, category=shared_need)
    OrganisationNeedFactory(organisation=duplicate, category=shared_need)
    OrganisationNeedFactory(organisation=duplicate)
    MembershipFactory(organisation=duplicate)
    OfficeFactory(organisation=duplicate)
    ContactPersonFactory(organisation=duplicate, name="Responsable")
    OrganisationIdentifierFactory(organisation=duplicate, value="kobo-123")
    OrganisationAliasFactory(organisation=duplicate, name="MdM Gao")
    InteractionFactory(organisation=duplicate, summary="Entretien de la cartographie")
    AssignmentFactory(organisation=duplicate)
    return kept, duplicate


def test_merge_moves_every_part_to_the_kept_record(records, django_user_model):
    kept, duplicate = records
    user = django_user_model.objects.create_user("awa", password="x" * 12)
    version = kept.version
    merge_organisations(kept, duplicate, user=user)

    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert kept.zone_links.count() == 2
    assert kept.theme_links.count() == 1
    assert sorted(kept.channels.values_list("value", "label")) == [
        ("+22387313308", "Bureau"),  # one phone, its blank label filled from the duplicate
        ("mdm@exemple.org", ""),
    ]
    assert list(kept.partnerships.values_list("description", flat=True)) == ["Formation"]
    assert kept.needs.count() == 2
    assert kept.memberships.count() == 1
    assert kept.offices.count() == 1
    assert list(kept.contact_persons.values_list("name", flat=True)) == ["Responsable"]
    assert list(kept.identifiers.values_list("value", flat=True)) == ["kobo-123"]
    assert kept.interactions.get().summary == "Entretien de la cartographie"
    assert kept.assignments.count() == 1
    assert set(kept.aliases.values_list("name", flat=True)) == {
        "Maison des Migrants de Gao",
        "MMG",
        "MdM Gao",
    }
    assert "maison des migrants de gao" in kept.search_text

    # The duplicate is archived, empty, and says where it went.
    assert duplicate.status == Organisation.Status.ARCHIVED
    for accessor in ["zone_links", "channels", "needs", "interactions", "aliases", "offices"]:
        assert getattr(duplicate, accessor).count() == 0
    assert kept.name in duplicate.history.latest().history_change_reason
    latest = kept.history.latest()
    assert latest.history_user == user
    assert duplicate.name in latest.history_change_reason
    assert kept.version == version + 1


def test_moved_parts_bring_their_history(records):
    kept, duplicate = records
    merge_organisations(kept, duplicate)
    interaction_rows = [
        change for change in part_changes(kept.pk) if change.part == "Entretien de la cartographie"
    ]
    # Created on the duplicate, then moved here.
    assert [change.change for change in interaction_rows] == ["changed", "created"]


def test_a_merge_that_cannot_finish_changes_nothing(records):
    kept, duplicate = records
    NetworkFactory(organisation=kept)
    NetworkFactory(organisation=duplicate)
    with pytest.raises(MergeError):
        merge_organisations(kept, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.status == Organisation.Status.PUBLISHED
    assert duplicate.zone_links.count() == 2
    assert duplicate.channels.count() == 2
    assert kept.aliases.count() == 0


def test_staff_merge_from_the_admin(records, admin_client):
    kept, duplicate = records
    url = reverse("crm:merge")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client.get(url, {"first": kept.pk, "second": duplicate.pk})
    assert page.status_code == 200
    response = admin_client.post(
        url, {"first": kept.pk, "second": duplicate.pk, "keep": duplicate.pk}
    )
    # The staff chose to keep the second record.
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:organisations_organisation_change", args=[duplicate.pk]
    )
    kept.refresh_from_db()
    assert kept.status == Organisation.Status.ARCHIVED
    assert "Maison du Migrant" in set(duplicate.aliases.values_list("name", flat=True))
    # The zone, phone, partner and need both had are counted as kept once.
    summary = str(list(admin_client.get(response["Location"]).context["messages"])[0])
    assert (
        "Moved: nothing. Already here, kept once: capacity needs: 1, contact channels: 1, "
        "intervention zones: 1, partnerships: 1." in summary
    )


def test_the_merge_page_refuses_a_missing_choice_and_the_same_record(records, admin_client):
    kept, duplicate = records
    url = reverse("crm:merge")
    response = admin_client.post(url, {"first": kept.pk, "second": duplicate.pk})
    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.status == Organisation.Status.PUBLISHED
    assert admin_client.get(url, {"first": kept.pk, "second": kept.pk}).status_code == 404


def test_the_admin_action_sends_two_selected_records_to_the_merge_page(records, admin_client):
    kept, duplicate = records
    response = admin_client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "merge_two", "_selected_action": [kept.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    first, second = sorted([kept.pk, duplicate.pk])
    assert response["Location"] == f"{reverse('crm:merge')}?first={first}&second={second}"
