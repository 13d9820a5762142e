"""Draft, published, archived: bulk actions in the admin, with history."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from organisations.factories import OrganisationAliasFactory, OrganisationFactory
from organisations.models import Organisation
from organisations.visibility import visible_organisations

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:organisations_organisation_changelist")


def test_staff_publish_drafts_in_bulk(admin_client, django_assert_max_num_queries):
    drafts = [OrganisationFactory(status="draft") for _ in range(5)]
    already = OrganisationFactory(status="published")
    assert list(visible_organisations()) == [already]
    versions = {o.pk: o.version for o in drafts}
    with django_assert_max_num_queries(20):
        response = admin_client.post(
            CHANGELIST,
            {"action": "publish", "_selected_action": [o.pk for o in [*drafts, already]]},
        )
    assert response.status_code == 302
    assert set(visible_organisations()) == {*drafts, already}
    for organisation in Organisation.objects.filter(pk__in=versions):
        assert organisation.version == versions[organisation.pk] + 1
        latest = organisation.history.latest()
        assert latest.status == "published"
        assert latest.history_user.username == "admin"
    # The one already published was left alone.
    assert already.history.count() == 1


def test_staff_archive_in_bulk(admin_client):
    organisations = [OrganisationFactory(status="published") for _ in range(2)]
    admin_client.post(
        CHANGELIST, {"action": "archive", "_selected_action": [o.pk for o in organisations]}
    )
    assert set(Organisation.objects.values_list("status", flat=True)) == {"archived"}
    assert list(visible_organisations()) == []


def test_viewers_have_no_bulk_actions(client, django_user_model):
    user = django_user_model.objects.create_user("lecteur", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(user)
    draft = OrganisationFactory(status="draft")
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert response.status_code == 302
    page = client.get(CHANGELIST)
    offered = [name for name, _label in page.context["action_form"].fields["action"].choices]
    assert {"publish", "archive", "merge_two"}.isdisjoint(offered)
    assert "export_full_csv" in offered  # reading actions stay


def test_staff_publish_every_result_of_a_search(admin_client):
    found = OrganisationFactory(name="Coordination CAMARCI", status="draft")
    OrganisationAliasFactory(organisation=found, name="CAMRCI")
    OrganisationAliasFactory(organisation=found, name="CAMRCI Bamako")
    other = OrganisationFactory(name="Autre", status="draft")
    response = admin_client.post(
        f"{CHANGELIST}?q=camrci",
        {"action": "publish", "select_across": "1", "_selected_action": [found.pk]},
    )
    assert response.status_code == 302
    found.refresh_from_db()
    other.refresh_from_db()
    assert (found.status, other.status) == ("published", "draft")
