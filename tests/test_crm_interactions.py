"""The interaction log, follow-ups and the staff dashboard."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.factories import AssignmentFactory, InteractionFactory
from crm.models import Interaction
from organisations.factories import OrganisationFactory
from tests.test_admin import _organisation_form

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("crm:dashboard")


def _days(n):
    return timezone.localdate() + timedelta(days=n)


def test_the_dashboard_lists_overdue_and_due_follow_ups(admin_client):
    overdue = InteractionFactory(follow_up_date=_days(-3), follow_up_note="Envoyer le rapport")
    due = InteractionFactory(follow_up_date=_days(2), follow_up_note="Rappeler le président")
    InteractionFactory(follow_up_date=_days(30), follow_up_note="Plus tard")
    InteractionFactory(follow_up_date=_days(-10), follow_up_done=True, follow_up_note="Fait")
    InteractionFactory(follow_up_date=None)

    response = admin_client.get(DASHBOARD)
    dashboard = response.context["dashboard"]
    assert list(dashboard.overdue) == [overdue]
    assert list(dashboard.due_soon) == [due]
    content = response.content.decode()
    assert "Envoyer le rapport" in content and "Rappeler le président" in content
    assert "Plus tard" not in content and "Fait" not in content


def test_staff_narrow_the_dashboard_to_their_own_follow_ups(admin_client, django_user_model):
    me = admin_client.get(DASHBOARD).wsgi_request.user
    colleague = django_user_model.objects.create_user("colleague", password="x" * 12)
    mine = InteractionFactory(staff=me, follow_up_date=_days(-1))
    InteractionFactory(staff=colleague, follow_up_date=_days(-1))
    everyone = admin_client.get(DASHBOARD).context["dashboard"]
    assert len(everyone.overdue) == 2
    only_mine = admin_client.get(DASHBOARD, {"mine": "1"}).context["dashboard"]
    assert list(only_mine.overdue) == [mine]
    assert list(only_mine.recent) == [mine]


def test_my_organisations_are_those_i_follow_or_logged(admin_client, django_user_model):
    me = admin_client.get(DASHBOARD).wsgi_request.user
    colleague = django_user_model.objects.create_user("colleague", password="x" * 12)
    assigned = OrganisationFactory(name="Assignée à moi")
    AssignmentFactory(organisation=assigned, user=me)
    logged = OrganisationFactory(name="Rencontrée par moi")
    InteractionFactory(organisation=logged, staff=me, date=_days(-5))
    InteractionFactory(organisation=logged, staff=me, date=_days(-1), follow_up_date=_days(4))
    other = OrganisationFactory(name="Suivie par un collègue")
    InteractionFactory(organisation=other, staff=colleague)

    mine = list(admin_client.get(DASHBOARD).context["dashboard"].my_organisations)
    assert mine == [assigned, logged]
    assert mine[1].last_interaction == _days(-1)
    assert mine[1].next_follow_up == _days(4)


def test_the_dashboard_query_count_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries
):
    me = admin_client.get(DASHBOARD).wsgi_request.user
    for n in range(15):
        organisation = OrganisationFactory()
        AssignmentFactory(organisation=organisation, user=me)
        InteractionFactory(organisation=organisation, staff=me, follow_up_date=_days(n - 7))
    with django_assert_max_num_queries(9):
        response = admin_client.get(DASHBOARD)
    assert len(response.context["dashboard"].overdue) == 7


def test_staff_log_an_interaction_on_the_organisation_page(admin_client):
    organisation = OrganisationFactory()
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    seen = admin_client.get(url).context["adminform"].form["seen_version"].value()
    data = _organisation_form(
        organisation,
        seen_version=seen,
        **{
            "interactions-TOTAL_FORMS": "1",
            "interactions-0-kind": "interview",
            "interactions-0-date": "2026-03-02",
            "interactions-0-staff": admin_client.get(url).wsgi_request.user.pk,
            "interactions-0-participants": "Président, trésorière",
            "interactions-0-summary": "Entretien de la cartographie",
            "interactions-0-follow_up_date": "2026-04-01",
        },
    )
    assert admin_client.post(url, data).status_code == 302
    interaction = organisation.interactions.get()
    assert interaction.kind == "interview"
    assert interaction.follow_up_done is False


def test_a_follow_up_cannot_be_done_without_a_date(admin_client):
    organisation = OrganisationFactory()
    response = admin_client.post(
        reverse("admin:crm_interaction_add"),
        {
            "organisation": organisation.pk,
            "kind": "call",
            "date": "2026-03-02",
            "summary": "Appel",
            "follow_up_done": "on",
        },
    )
    assert response.status_code == 200
    assert not Interaction.objects.exists()


def test_the_interaction_list_filters_overdue_follow_ups(admin_client):
    overdue = InteractionFactory(follow_up_date=_days(-1))
    InteractionFactory(follow_up_date=_days(1))
    InteractionFactory(follow_up_date=_days(-1), follow_up_done=True)
    response = admin_client.get(
        reverse("admin:crm_interaction_changelist"), {"follow_up": "overdue"}
    )
    assert list(response.context["cl"].result_list) == [overdue]


def test_the_mark_done_action_closes_follow_ups(admin_client):
    open_ones = [InteractionFactory(follow_up_date=_days(-1)) for _ in range(2)]
    response = admin_client.post(
        reverse("admin:crm_interaction_changelist"),
        {"action": "mark_follow_up_done", "_selected_action": [i.pk for i in open_ones]},
    )
    assert response.status_code == 302
    assert Interaction.objects.filter(follow_up_done=True).count() == 2


def test_attachments_open_for_staff_only_through_a_permission_check(
    admin_client, client, django_user_model
):
    organisation = OrganisationFactory()
    response = admin_client.post(
        reverse("admin:crm_interaction_add"),
        {
            "organisation": organisation.pk,
            "kind": "training",
            "date": "2026-03-02",
            "summary": "Formation en gestion",
            "attachment": SimpleUploadedFile("liste-de-presence.pdf", b"%PDF-1.4 presence"),
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    url = interaction.attachment.url
    assert url.startswith("/admin/crm/files/interactions/")
    change_page = admin_client.get(reverse("admin:crm_interaction_change", args=[interaction.pk]))
    assert url in change_page.content.decode()

    download = admin_client.get(url)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 presence"
    assert "liste-de-presence.pdf" in download["Content-Disposition"]
    # Anonymous visitors go to the login page; staff without the permission are refused.
    assert client.get(url).status_code == 302
    nobody = django_user_model.objects.create_user("nobody", password="x" * 12, is_staff=True)
    client.force_login(nobody)
    assert client.get(url).status_code == 403


def test_the_dashboard_shows_the_first_follow_ups_and_links_to_all_of_them(
    admin_client, monkeypatch
):
    monkeypatch.setattr("crm.reports.FOLLOW_UP_ROWS", 3)
    overdue = [InteractionFactory(follow_up_date=_days(-n)) for n in range(5, 0, -1)]
    due = [InteractionFactory(follow_up_date=_days(n)) for n in range(1, 5)]
    response = admin_client.get(DASHBOARD)
    dashboard = response.context["dashboard"]
    assert list(dashboard.overdue) == overdue[:3]
    assert (dashboard.overdue_count, dashboard.due_soon_count) == (5, 4)
    assert list(dashboard.due_soon) == due[:3]
    page = response.content.decode()
    interaction_list = reverse("admin:crm_interaction_changelist")
    assert f'href="{interaction_list}?follow_up=overdue"' in page
    assert f'href="{interaction_list}?follow_up=soon"' in page
    assert "Les 3 premiers sur 5" in page and "Les 3 premiers sur 4" in page

    listed = admin_client.get(interaction_list, {"follow_up": "soon"}).context["cl"].result_list
    assert sorted(interaction.pk for interaction in listed) == [i.pk for i in due]


def test_only_mine_links_to_my_follow_ups_in_the_interaction_list(admin_client, monkeypatch):
    monkeypatch.setattr("crm.reports.FOLLOW_UP_ROWS", 1)
    me = admin_client.get(DASHBOARD).wsgi_request.user
    for _ in range(2):
        InteractionFactory(staff=me, follow_up_date=_days(-1))
    page = admin_client.get(DASHBOARD, {"mine": "1"}).content.decode()
    interaction_list = reverse("admin:crm_interaction_changelist")
    assert f'href="{interaction_list}?follow_up=overdue&amp;staff__id__exact={me.pk}"' in page


def test_my_organisations_come_by_pages(admin_client, monkeypatch):
    monkeypatch.setattr("crm.reports.MY_ORGANISATIONS_PER_PAGE", 2)
    me = admin_client.get(DASHBOARD).wsgi_request.user
    for name in ["Alpha", "Bêta", "Gamma"]:
        AssignmentFactory(organisation=OrganisationFactory(name=name), user=me)
    first = admin_client.get(DASHBOARD)
    assert [o.name for o in first.context["dashboard"].my_organisations] == ["Alpha", "Bêta"]
    assert 'href="?page=2#my-organisations"' in first.content.decode()
    assert "Page 1 sur 2 (3 organisations)" in first.content.decode()
    second = admin_client.get(DASHBOARD, {"page": "2"}).context["dashboard"].my_organisations
    assert [o.name for o in second] == ["Gamma"]
    beyond = admin_client.get(DASHBOARD, {"page": "x"}).context["dashboard"].my_organisations
    assert beyond.number == 1
