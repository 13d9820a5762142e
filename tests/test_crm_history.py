"""History and safe concurrent edits of an organisation in the admin."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisations.factories import ContactChannelFactory, OrganisationFactory, RegionFactory
from organisations.models import Organisation, OrganisationZone
from tests.test_admin import _organisation_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_staff(django_user_model):
    """Two superusers' clients: Awa and Bakary."""
    clients = {}
    for name in ["awa", "bakary"]:
        user = django_user_model.objects.create_superuser(username=name, password="x" * 12)
        staff = Client()
        staff.force_login(user)
        staff.user = user
        clients[name] = staff
    return clients


def _change_url(organisation):
    return reverse("admin:organisations_organisation_change", args=[organisation.pk])


def _form_as_opened(client, organisation):
    """The form data as the page showed it, with the version it was opened on."""
    response = client.get(_change_url(organisation))
    seen = response.context["adminform"].form["seen_version"].value()
    return _organisation_form(organisation, seen_version=seen)


def test_the_second_of_two_concurrent_saves_is_refused_with_what_changed(two_staff):
    organisation = OrganisationFactory(description="Version de départ")
    awa_form = _form_as_opened(two_staff["awa"], organisation)
    bakary_form = _form_as_opened(two_staff["bakary"], organisation)

    bakary_form["description"] = "Version de Bakary"
    assert two_staff["bakary"].post(_change_url(organisation), bakary_form).status_code == 302

    awa_form["description"] = "Version d'Awa"
    response = two_staff["awa"].post(_change_url(organisation), awa_form)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "bakary" in errors
    assert "Version de départ" in errors and "Version de Bakary" in errors
    organisation.refresh_from_db()
    assert organisation.description == "Version de Bakary"
    # Awa's text is still in the form she sees, to copy before reloading.
    assert "Version d&#x27;Awa" in response.content.decode()


def test_the_refusal_names_parts_changed_meanwhile(two_staff):
    organisation = OrganisationFactory()
    ContactChannelFactory(organisation=organisation, value="+22376000011")  # there before
    awa_form = _form_as_opened(two_staff["awa"], organisation)
    bakary_form = _form_as_opened(two_staff["bakary"], organisation)
    zone = RegionFactory(name="Ségou")
    bakary_form.update({"zone_links-TOTAL_FORMS": "1", "zone_links-0-zone": zone.pk})
    assert two_staff["bakary"].post(_change_url(organisation), bakary_form).status_code == 302

    response = two_staff["awa"].post(_change_url(organisation), awa_form)
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Ségou" in errors
    assert "+22376000011" not in errors
    assert OrganisationZone.objects.get(organisation=organisation).zone == zone


def test_the_refusal_shows_choices_by_their_label(two_staff):
    organisation = OrganisationFactory(status="draft")
    awa_form = _form_as_opened(two_staff["awa"], organisation)
    bakary_form = _form_as_opened(two_staff["bakary"], organisation)
    bakary_form["status"] = "published"
    assert two_staff["bakary"].post(_change_url(organisation), bakary_form).status_code == 302
    two_staff["awa"].cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = two_staff["awa"].post(_change_url(organisation), awa_form)
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "“Draft” became “Published”" in errors


def test_a_save_from_the_current_version_goes_through_and_bumps_it(two_staff):
    organisation = OrganisationFactory(description="Avant")
    form = _form_as_opened(two_staff["awa"], organisation)
    form["description"] = "Après"
    assert two_staff["awa"].post(_change_url(organisation), form).status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Après"
    assert organisation.version == form["seen_version"] + 1


def test_an_edit_made_outside_the_admin_also_makes_the_form_stale(two_staff):
    organisation = OrganisationFactory(name="Nom initial")
    form = _form_as_opened(two_staff["awa"], organisation)
    organisation.name = "Nom changé par un import"
    organisation.save()
    response = two_staff["awa"].post(_change_url(organisation), form)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Nom changé par un import" in errors


# Transactional, as in production: the revert must run in a transaction of its own.
@pytest.mark.django_db(transaction=True)
def test_staff_revert_an_old_version_from_the_admin(two_staff):
    client = two_staff["awa"]
    organisation = OrganisationFactory(description="Première rédaction")
    for text in ["Deuxième rédaction", "Troisième rédaction"]:
        form = _form_as_opened(client, organisation)
        form["description"] = text
        assert client.post(_change_url(organisation), form).status_code == 302
    organisation.refresh_from_db()
    version_before = organisation.version
    first = organisation.history.earliest()
    url = reverse(
        "admin:organisations_organisation_simple_history",
        args=[organisation.pk, first.history_id],
    )
    page = client.get(url)
    assert page.status_code == 200
    form = _organisation_form(
        Organisation(**{**_fields_of(first), "pk": organisation.pk}),
        seen_version=page.context["adminform"].form["seen_version"].value(),
    )
    assert client.post(url, form).status_code == 302

    organisation.refresh_from_db()
    assert organisation.description == "Première rédaction"
    # Versions only go up, so a form opened before the revert is refused.
    assert organisation.version == version_before + 1
    latest = organisation.history.latest()
    assert latest.history_user == client.user
    assert latest.description == "Première rédaction"


def _fields_of(record):
    names = [f.name for f in Organisation._meta.concrete_fields if f.name != "id"]
    return {name: getattr(record, name) for name in names if hasattr(record, name)}


def test_the_history_page_lists_changes_to_parts(two_staff):
    client = two_staff["awa"]
    organisation = OrganisationFactory()
    form = _form_as_opened(client, organisation)
    form.update(
        {
            "channels-TOTAL_FORMS": "1",
            "channels-0-kind": "email",
            "channels-0-value": "contact@exemple.org",
        }
    )
    assert client.post(_change_url(organisation), form).status_code == 302
    page = client.get(reverse("admin:organisations_organisation_history", args=[organisation.pk]))
    content = page.content.decode()
    assert "contact@exemple.org" in content
    assert "awa" in content
