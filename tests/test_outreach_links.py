"""Sending one organisation its personal update link from its admin page."""

import smtplib
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from corrections.models import LinkRefused, UpdateLink
from crm.roles import EDITORS, VIEWERS
from organisations.factories import OrganisationFactory
from outreach.models import Message
from tests.outreach_world import (
    PLANTED,
    email,
    organisation_with_private_values,
    staff_member,
    whole_message,
)

pytestmark = pytest.mark.django_db


def _page(organisation) -> str:
    return reverse("admin:organisations_organisation_send_link", args=[organisation.pk])


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(staff_member(django_user_model, EDITORS))
    return client


def test_it_sends_the_link_to_the_chosen_address_and_records_it(editor, settings):
    settings.SITE_URL = "https://annuaire.example.org"
    organisation = OrganisationFactory(name="Association des Rapatriés de Kayes")
    email(organisation, "contact@arkayes.org")
    email(organisation, "direction@arkayes.org", public=False, position=1)

    response = editor.post(
        _page(organisation), {"address": "direction@arkayes.org", "language": "fr"}
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["direction@arkayes.org"]
    assert "Association des Rapatriés de Kayes" in sent.subject
    message = Message.objects.get()
    assert (message.organisation, message.address, message.language) == (
        organisation,
        "direction@arkayes.org",
        "fr",
    )
    assert message.sent_at is not None and message.failure == ""
    # The e-mail carries the only copy of the token: it opens this organisation's page.
    prefix = "https://annuaire.example.org/mise-a-jour/"
    token = sent.body.split(prefix, 1)[1].split("/", 1)[0]
    assert UpdateLink.objects.resolve(token) == message.link
    assert message.link.organisation == organisation
    assert f'href="{prefix}{token}/"' in sent.alternatives[0][0]


def test_it_writes_in_english_with_an_english_link(editor, settings):
    settings.SITE_URL = "https://annuaire.example.org"
    organisation = OrganisationFactory(name="Ghana Migrants Network")
    email(organisation, "info@gmn.example.org")

    editor.post(_page(organisation), {"address": "info@gmn.example.org", "language": "en"})

    sent = mail.outbox[0]
    assert (
        sent.subject == "Please review the information of Ghana Migrants Network in the directory"
    )
    assert "https://annuaire.example.org/en/mise-a-jour/" in sent.body
    assert "Bonjour" not in sent.body


def test_it_writes_in_french_by_default(editor):
    organisation = OrganisationFactory(name="Tilé Coura")
    email(organisation, "tile@example.org")

    page = editor.get(_page(organisation))
    assert page.context["form"]["language"].value() in (None, "fr")
    editor.post(_page(organisation), {"address": "tile@example.org", "language": "fr"})

    sent = mail.outbox[0]
    assert sent.subject == "Merci de vérifier la fiche « Tilé Coura » dans l’annuaire"
    assert sent.body.startswith("Bonjour,")
    # Without SITE_URL, the address the staff member used.
    assert "http://testserver/mise-a-jour/" in sent.body


def test_it_refuses_an_address_that_is_not_one_of_the_organisations(editor):
    organisation = OrganisationFactory()
    email(organisation, "contact@example.org")

    response = editor.post(_page(organisation), {"address": "someone@else.org", "language": "fr"})

    assert response.status_code == 200
    assert response.context["form"].errors["address"]
    assert mail.outbox == []
    assert not Message.objects.exists() and not UpdateLink.objects.exists()


def test_it_says_when_the_organisation_has_no_address(editor):
    organisation = OrganisationFactory()

    response = editor.get(_page(organisation))

    assert "n’a aucune adresse e-mail" in response.content.decode()


def test_it_records_a_failure_and_withdraws_the_unsent_link(editor):
    organisation = OrganisationFactory()
    email(organisation, "contact@example.org")

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPRecipientsRefused({"contact@example.org": (550, b"unknown")}),
    ):
        response = editor.post(
            _page(organisation), {"address": "contact@example.org", "language": "fr"}, follow=True
        )

    message = Message.objects.get()
    assert message.sent_at is None
    assert "contact@example.org" in message.failure
    message.link.refresh_from_db()
    assert message.link.revoked_at is not None
    assert "n’a pas pu être envoyé" in response.content.decode()


def test_it_lets_viewers_see_the_links_sent_but_not_send(client, django_user_model, editor):
    organisation = OrganisationFactory()
    email(organisation, "contact@example.org")
    editor.post(_page(organisation), {"address": "contact@example.org", "language": "fr"})
    client.force_login(staff_member(django_user_model, VIEWERS))

    page = client.get(_page(organisation))
    refused = client.post(_page(organisation), {"address": "contact@example.org", "language": "fr"})

    assert page.status_code == 200
    assert "contact@example.org" in page.content.decode()
    assert (
        'type="submit"'
        not in page.content.decode().split("Liens envoyés")[0].split('id="content-main"')[1]
    )
    assert refused.status_code == 403
    assert len(mail.outbox) == 1


def test_it_offers_the_page_from_the_organisations_admin_page(editor):
    organisation = OrganisationFactory()

    response = editor.get(
        reverse("admin:organisations_organisation_change", args=[organisation.pk])
    )

    assert _page(organisation) in response.content.decode()


def test_it_puts_no_private_value_in_the_email(editor):
    organisation = organisation_with_private_values(name="Association Témoin")
    email(organisation, "choisie@example.org", public=False)

    editor.post(_page(organisation), {"address": "choisie@example.org", "language": "fr"})

    text = whole_message(mail.outbox[0])
    for planted in PLANTED.values():
        assert planted not in text
    assert "choisie@example.org" not in text  # only in the envelope
    assert mail.outbox[0].to == ["choisie@example.org"]


def test_it_escapes_a_hostile_name_in_the_html_email(editor):
    organisation = OrganisationFactory(name='<img src=x onerror="alert(1)"> & Cie')
    email(organisation, "contact@example.org")

    editor.post(_page(organisation), {"address": "contact@example.org", "language": "fr"})

    sent = mail.outbox[0]
    html = sent.alternatives[0][0]
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Cie" in html
    # The plain text is text: shown as written, not as HTML entities.
    assert '<img src=x onerror="alert(1)"> & Cie' in sent.body
    assert "\n" not in sent.subject


def test_a_link_sent_opens_its_own_organisation_only(editor, client):
    first, second = OrganisationFactory(name="Première"), OrganisationFactory(name="Seconde")
    email(first, "a@example.org")
    email(second, "b@example.org")
    editor.post(_page(first), {"address": "a@example.org", "language": "fr"})
    token = mail.outbox[0].body.split("/mise-a-jour/", 1)[1].split("/", 1)[0]

    assert UpdateLink.objects.resolve(token).organisation == first
    UpdateLink.objects.get(organisation=first).revoke()
    with pytest.raises(LinkRefused):
        UpdateLink.objects.resolve(token)


def test_it_offers_private_addresses_only_to_staff_who_see_private_values(
    client, django_user_model
):
    user = django_user_model.objects.create_user(username="stagiaire", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_organisation", "view_message", "add_message"])
    )
    client.force_login(user)
    organisation = OrganisationFactory()
    email(organisation, "publique@example.org")
    email(organisation, "privee@example.org", public=False)

    page = client.get(_page(organisation))
    refused = client.post(_page(organisation), {"address": "privee@example.org", "language": "fr"})

    assert [value for value, _label in page.context["form"].fields["address"].choices] == [
        "publique@example.org"
    ]
    assert "privee@example.org" not in page.content.decode()
    assert refused.context["form"].errors["address"]
    assert mail.outbox == []


def test_it_lists_the_organisations_messages_to_withdraw_their_links(editor):
    organisation, other = OrganisationFactory(), OrganisationFactory()
    email(organisation, "a@example.org")
    email(other, "b@example.org")
    editor.post(_page(organisation), {"address": "a@example.org", "language": "fr"})
    editor.post(_page(other), {"address": "b@example.org", "language": "fr"})

    response = editor.get(
        reverse("admin:outreach_message_changelist"), {"organisation__id__exact": organisation.pk}
    )

    assert [m.address for m in response.context["cl"].result_list] == ["a@example.org"]


def test_it_gives_each_links_state_with_french_dates(editor):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    organisation = OrganisationFactory()
    email(organisation, "a@example.org")
    for _ in range(3):
        editor.post(_page(organisation), {"address": "a@example.org", "language": "fr"})
    noon = datetime(2026, 1, 5, 12, tzinfo=ZoneInfo("UTC"))
    usable, expired, withdrawn = UpdateLink.objects.filter(organisation=organisation)
    UpdateLink.objects.filter(pk=usable.pk).update(
        expires_at=noon.replace(year=2099, month=2), last_used_at=noon.replace(month=3)
    )
    UpdateLink.objects.filter(pk=expired.pk).update(expires_at=noon)
    UpdateLink.objects.filter(pk=withdrawn.pk).update(revoked_at=noon.replace(day=7))

    states = sorted(m.state for m in editor.get(_page(organisation)).context["sent"])

    assert states == [
        "expiré le 5 janvier 2026",
        "retiré le 7 janvier 2026",
        "utilisable jusqu’au 5 février 2099, ouvert le 5 mars 2026",
    ]
