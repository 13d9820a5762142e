"""The three staff roles: what each one may open, add, change and delete in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from crm.roles import ADMINISTRATORS, EDITED_MODELS, EDITORS, VIEWERS, sync_roles
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OrganisationFactory,
)
from tests.test_admin import FACTORIES, WITHOUT_ADD_PAGE

pytestmark = pytest.mark.django_db

# The survey import app's admin has its own permission rules (tested with that app).
DIRECTORY_MODELS = sorted(
    model._meta.label_lower
    for model in admin.site._registry
    if model._meta.app_label in {"organisations", "networks", "needs", "crm"}
)
PAGES = ["changelist", "change", "add", "delete"]


def _client_for(client, django_user_model, role):
    user = django_user_model.objects.create_user(
        username=f"{role.lower()}-user", password="x" * 12, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    client.user = user
    return client


def _url(label, page, django_user_model):
    app_label, model_name = label.split(".")
    if page in {"change", "delete"}:
        if label == "auth.user":
            pk = django_user_model.objects.create_user(username="target", password="x" * 12).pk
        else:
            pk = FACTORIES[label]().pk
        return reverse(f"admin:{app_label}_{model_name}_{page}", args=[pk])
    return reverse(f"admin:{app_label}_{model_name}_{page}")


def _expected(role, label, page):
    if role == ADMINISTRATORS:
        return 403 if page == "add" and label in WITHOUT_ADD_PAGE else 200
    if label not in DIRECTORY_MODELS:
        return 403  # users, groups, login records: administrators only
    if page in {"changelist", "change"}:
        return 200  # Viewers and Editors read everything (change pages read-only)
    return 200 if role == EDITORS and label in EDITED_MODELS else 403


def test_migrate_created_the_three_groups_with_their_permissions():
    # The test database was built by migrate from nothing: the post_migrate sync ran
    # after every app's permissions existed.
    editors = Group.objects.get(name=EDITORS)
    viewers = Group.objects.get(name=VIEWERS)
    administrators = Group.objects.get(name=ADMINISTRATORS)
    assert administrators.permissions.count() == Permission.objects.count()
    editor_codes = {f"{p.content_type.app_label}.{p.codename}" for p in editors.permissions.all()}
    viewer_codes = {f"{p.content_type.app_label}.{p.codename}" for p in viewers.permissions.all()}
    assert {
        "organisations.change_organisation",
        "organisations.delete_contactperson",
        "organisations.view_private",
        "crm.add_interaction",
        "needs.change_organisationneed",
        "networks.add_membership",
        "surveys.import_survey",
        "organisations.view_zone",
    } <= editor_codes
    assert "organisations.change_zone" not in editor_codes
    assert "auth.change_user" not in editor_codes
    assert "organisations.view_private" in viewer_codes
    assert all(code.split(".")[1].startswith("view_") for code in viewer_codes)


def test_sync_restores_a_deleted_group_and_is_idempotent():
    Group.objects.filter(name=VIEWERS).delete()
    sync_roles()
    sync_roles()
    assert Group.objects.filter(name=VIEWERS).count() == 1
    assert Group.objects.get(name=VIEWERS).permissions.filter(codename="view_private").exists()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("label", [*DIRECTORY_MODELS, "auth.user", "auth.group"])
@pytest.mark.parametrize("role", [ADMINISTRATORS, EDITORS, VIEWERS])
def test_each_role_reaches_exactly_its_admin_pages(client, django_user_model, role, label, page):
    client = _client_for(client, django_user_model, role)
    response = client.get(_url(label, page, django_user_model))
    assert response.status_code == _expected(role, label, page)


def test_viewers_cannot_save_a_change(client, django_user_model):
    organisation = OrganisationFactory(name="Avant")
    client = _client_for(client, django_user_model, VIEWERS)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    response = client.post(url, {"name": "Après"})
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Avant"


def test_viewers_read_private_values_in_the_admin(client, django_user_model):
    organisation = OrganisationFactory(staff_notes="Note interne confidentielle")
    ContactChannelFactory(organisation=organisation, value="+22399887766", is_public=False)
    ContactPersonFactory(organisation=organisation, name="Aminata Privée")
    client = _client_for(client, django_user_model, VIEWERS)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    content = client.get(url).content.decode()
    assert "+22399887766" in content
    assert "Aminata Privée" in content
    assert "Note interne confidentielle" in content


def test_anonymous_visitors_never_reach_the_staff_pages(client):
    for name in ["crm:dashboard", "crm:needs_overview", "crm:data_quality", "crm:merge"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", [ADMINISTRATORS, EDITORS, VIEWERS])
def test_every_role_opens_the_staff_pages(client, django_user_model, role):
    client = _client_for(client, django_user_model, role)
    for name in ["crm:dashboard", "crm:needs_overview", "crm:data_quality"]:
        assert client.get(reverse(name)).status_code == 200


def test_staff_without_a_role_cannot_open_the_staff_pages(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x" * 12, is_staff=True)
    client.force_login(user)
    for name in ["crm:dashboard", "crm:needs_overview", "crm:data_quality"]:
        assert client.get(reverse(name)).status_code == 403


def test_viewers_cannot_merge(client, django_user_model):
    first, second = OrganisationFactory(), OrganisationFactory()
    client = _client_for(client, django_user_model, VIEWERS)
    response = client.post(
        reverse("crm:merge"), {"first": first.pk, "second": second.pk, "keep": first.pk}
    )
    assert response.status_code == 403
    second.refresh_from_db()
    assert second.status == "published"


@pytest.mark.parametrize(("role", "expected"), [(EDITORS, 200), (VIEWERS, 403)])
def test_editors_import_surveys_and_viewers_cannot(client, django_user_model, role, expected):
    client = _client_for(client, django_user_model, role)
    assert client.get(reverse("admin:surveys_import")).status_code == expected


@pytest.mark.parametrize("role", [EDITORS, VIEWERS])
def test_each_role_exports_private_values(client, django_user_model, role):
    organisation = OrganisationFactory(status="draft")
    ContactChannelFactory(organisation=organisation, value="+22399887766", is_public=False)
    client = _client_for(client, django_user_model, role)
    response = client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "export_full_csv", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "+22399887766" in body


def test_missing_permissions_are_created_before_the_roles_are_set():
    # As on a fresh database, where the roles are set before some permissions exist.
    Permission.objects.filter(codename="view_private").delete()
    sync_roles()
    for role in [EDITORS, VIEWERS]:
        assert Group.objects.get(name=role).permissions.filter(codename="view_private").exists()
