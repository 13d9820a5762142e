"""A sender's e-mail is private: after a visitor's correction, an "Add my organisation" and
an organisation's own update, all accepted by staff, it is on no public page, confirmation
page, e-mail to an organisation or to editors, export or API answer."""

import io
import time
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from corrections.models import Proposal, UpdateLink
from corrections.spam import form_stamp
from crm.roles import EDITORS
from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from tests.outreach_world import email, staff_member, whole_message

pytestmark = pytest.mark.django_db

VISITOR = "visiteur.prive@example.org"
NEWCOMER = "fondatrice.privee@example.org"
ORGANISATION_SENDER = "secretariat.prive@example.org"
SENDERS = (VISITOR, NEWCOMER, ORGANISATION_SENDER)


def _sent(client, url: str, data: dict) -> None:
    cache.clear()
    stamped = {"homepage": "", "started": form_stamp(time.time() - 60), **data}
    response = client.post(url, stamped, follow=True)
    assert response.redirect_chain[-1][0] == reverse("corrections:thanks"), response.content
    assert not any(sender.encode() in response.content for sender in SENDERS)


def _body(response) -> bytes:
    body = b"".join(response) if response.streaming else response.content
    if body[:2] == b"PK":  # a zip: every file in it
        archive = zipfile.ZipFile(io.BytesIO(body))
        return b"".join(archive.read(name) for name in archive.namelist())
    return body


def test_the_senders_email_stays_private_from_sending_to_acceptance(
    client, django_user_model, settings
):
    settings.SITE_URL = "https://annuaire.example.org"
    organisation = OrganisationFactory(acronym="ARK", slug="ark")
    email(organisation, "contact@ark.ml")
    _sent(
        client,
        reverse("corrections:suggest", args=["ark"]),
        {"part": "acronym", "value": "ARK-K", "sender_name": "Awa", "sender_email": VISITOR},
    )
    _sent(
        client,
        reverse("corrections:add_organisation"),
        {"name": "Nouvelle Association", "legal_form": "informal", "sender_email": NEWCOMER},
    )
    link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    form = client.get(path).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "description": "Aide au retour",
            "sender_email": ORGANISATION_SENDER,
            "person-TOTAL_FORMS": "1",
            "person-INITIAL_FORMS": "0",
            "person-0-name": "Fatoumata Diallo",
            "person-0-consent": "on",
        }
    )
    _sent(client, path, {key: value for key, value in data.items() if value not in ("", None)})
    assert sorted(Proposal.objects.values_list("sender_email", flat=True)) == sorted(SENDERS)

    editor = staff_member(django_user_model, EDITORS, email="editrice@consortium.example")
    staff = Client()
    staff.force_login(editor)
    for proposal in Proposal.objects.all():
        decisions = {f"decision-{key}": "accept" for key in proposal.proposed}
        version = proposal.organisation.version if proposal.organisation else ""
        response = staff.post(
            reverse("admin:corrections_proposal_change", args=[proposal.pk]),
            {**decisions, "seen_version": version},
        )
        assert response.status_code == 302, response.context["errors"]
    Organisation.objects.filter(name="Nouvelle Association").update(status="published")
    organisation.refresh_from_db()
    assert organisation.acronym == "ARK-K" and organisation.description == "Aide au retour"
    assert organisation.contact_persons.public().count() == 1

    # E-mails: a new update link to the organisation, the editors' digest.
    staff.post(
        reverse("admin:organisations_organisation_send_link", args=[organisation.pk]),
        {"address": "contact@ark.ml", "language": "fr"},
    )
    call_command("send_editor_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    pages = [
        organisation.get_absolute_url(),
        Organisation.objects.get(name="Nouvelle Association").get_absolute_url(),
        "/organisations/",
        "/en/organisations/",
        "/",
        reverse("corrections:thanks"),
        reverse("corrections:suggest", args=["ark"]),
        path,
        "/exports/organisations.csv",
        "/exports/annuaire.csv",
        "/exports/organisations-hxl.csv",
        "/exports/3w-hxl.csv",
        "/exports/hsds.zip",
        "/api/organisations/",
        f"/api/organisations/{organisation.slug}/",
    ]
    public = Client()
    for page in pages:
        response = public.get(page)
        assert response.status_code == 200, page
        body = _body(response)
        assert not any(sender.encode() in body for sender in SENDERS), page
    for message in mail.outbox:
        assert not any(sender in whole_message(message) for sender in SENDERS), message.to
