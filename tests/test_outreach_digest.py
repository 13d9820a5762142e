"""The editors' monthly digest: proposals to review, records to verify."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from crm.roles import EDITORS, VIEWERS
from organisations.factories import OrganisationFactory
from organisations.verification import record_verification
from outreach import digest
from tests.outreach_world import (
    PLANTED,
    organisation_with_private_values,
    staff_member,
    whole_message,
)

pytestmark = pytest.mark.django_db

SITE = "https://annuaire.example.org"


@pytest.fixture
def records():
    now = timezone.now()
    never = OrganisationFactory(name="Jamais vérifiée")
    old = OrganisationFactory(name="Vérifiée il y a deux ans")
    record_verification(old, "staff", when=now - timedelta(days=730))
    recent = OrganisationFactory(name="Vérifiée le mois dernier")
    record_verification(recent, "organisation", when=now - timedelta(days=30))
    OrganisationFactory(name="Archivée jamais vérifiée", status="archived")
    private = organisation_with_private_values(name="Brouillon témoin", status="draft")
    return {"never": never, "old": old, "recent": recent, "private": private}


@pytest.fixture
def editors(django_user_model):
    return [
        staff_member(django_user_model, EDITORS, email="awa@consortium.example"),
        staff_member(django_user_model, EDITORS, email="moussa@consortium.example"),
        staff_member(django_user_model, EDITORS, email=""),
        staff_member(django_user_model, EDITORS, email="parti@consortium.example", is_active=False),
        staff_member(django_user_model, VIEWERS, email="lecteur@consortium.example"),
    ]


def test_it_sends_each_active_editor_with_an_address_the_digest(records, editors, settings):
    settings.SITE_URL = SITE

    out = StringIO()
    call_command("send_editor_digest", stdout=out)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "awa@consortium.example",
        "moussa@consortium.example",
    ]
    assert "2" in out.getvalue()
    sent = mail.outbox[0]
    assert sent.subject == "Annuaire : propositions à examiner et fiches à vérifier"
    assert "3 organisations n’ont pas été vérifiées depuis 12 mois." in sent.body
    # The oldest first: never verified, then the longest ago; archived records left out.
    lines = sent.body.splitlines()
    named = [line for line in lines if line.startswith("- ")]
    assert [line.split(" (")[0] for line in named] == [
        "- Brouillon témoin",
        "- Jamais vérifiée",
        "- Vérifiée il y a deux ans",
    ]
    never = lines.index("- Jamais vérifiée (jamais vérifiée)")
    url = f"{SITE}/admin/organisations/organisation/{records['never'].pk}/change/"
    assert lines[never + 1] == f"  {url}"  # on its own line: no colon to typeset
    assert f"{SITE}/admin/crm/quality/#not-verified" in sent.body
    assert "Archivée" not in sent.body


def test_it_puts_no_private_value_in_the_digest(records, editors, settings):
    settings.SITE_URL = SITE

    call_command("send_editor_digest", stdout=StringIO())

    text = whole_message(mail.outbox[0])
    for planted in PLANTED.values():
        assert planted not in text


def test_it_leaves_proposals_out_where_there_is_no_review_queue(monkeypatch):
    def no_such_model(app_label, model_name):
        raise LookupError(model_name)

    monkeypatch.setattr(digest.apps, "get_model", no_such_model)

    assert digest.pending_proposals() == (None, "")
    assert digest.build_digest(SITE).pending is None


def test_it_escapes_hostile_names_in_the_html_digest(editors, settings):
    settings.SITE_URL = SITE
    OrganisationFactory(name="<script>alert('x')</script>")

    call_command("send_editor_digest", stdout=StringIO())

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_it_needs_the_sites_address(settings):
    settings.SITE_URL = ""

    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("send_editor_digest", stdout=StringIO())
    assert mail.outbox == []


def test_it_reads_the_digest_in_a_few_queries(editors, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(digest, "pending_proposals", lambda: (0, ""))
    for n in range(30):
        OrganisationFactory(name=f"À vérifier {n}")

    with django_assert_max_num_queries(2):
        built = digest.build_digest(SITE)

    assert built.to_verify == 30
    assert len(built.oldest) == digest.OLDEST_SHOWN


def test_it_counts_the_proposals_the_review_queue_shows_as_waiting(records, editors, settings):
    from corrections.factories import NewOrganisationProposalFactory, ProposalFactory
    from corrections.models import Proposal

    settings.SITE_URL = SITE
    for _ in range(3):
        ProposalFactory(organisation=records["old"])
    NewOrganisationProposalFactory()
    for _ in range(2):
        ProposalFactory(organisation=records["recent"], status=Proposal.Status.DECIDED)

    call_command("send_editor_digest", "--language", "en", stdout=StringIO())

    body = mail.outbox[0].body
    assert "4 proposals are waiting for review." in body
    queue = f"{SITE}/admin/corrections/proposal/?status__exact=pending"
    assert f"Review queue: {queue}" in body
    assert f'<a href="{queue}">Review queue</a>' in mail.outbox[0].alternatives[0][0]
    client = Client()
    client.force_login(editors[0])
    assert client.get(queue.removeprefix(SITE)).context["cl"].result_count == 4
