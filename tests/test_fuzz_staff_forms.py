"""Hostile and generated POSTs to the staff's forms of corrections and outreach (a review's
decisions, a new campaign, sending one organisation its link): never a server error, a
refused form changes nothing, hostile text is stored as typed and shown escaped."""

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from corrections.factories import ProposalFactory
from corrections.models import Proposal, UpdateLink
from crm.roles import EDITORS
from organisations.factories import ContactChannelFactory, OrganisationFactory, RegionFactory
from organisations.models import ContactChannel
from outreach.models import Campaign, Message
from tests.fuzzing import repeatable
from tests.outreach_world import staff_member
from tests.test_fuzz_query_strings import MARKUP, NASTY_VALUES

pytestmark = pytest.mark.django_db

CAMPAIGN = reverse("admin:outreach_campaign_add")
REVIEW_FIELDS = [
    "decision-acronym",
    "comment-acronym",
    "confirm-acronym",
    "comment",
    "seen_version",
]
CAMPAIGN_FIELDS = ["name", "language", "regions", "typologies", "not_verified", "status", "_send"]


@pytest.fixture(name="editor")
def editor_fixture(client, django_user_model):
    client.force_login(staff_member(django_user_model, EDITORS))
    return client


@pytest.fixture(name="proposal")
def proposal_fixture():
    organisation = OrganisationFactory(acronym="AJK", zones=[RegionFactory()])
    ContactChannelFactory(organisation=organisation, kind=ContactChannel.Kind.EMAIL, value="a@b.ml")
    return ProposalFactory(organisation=organisation)


def _review(proposal) -> str:
    return reverse("admin:corrections_proposal_change", args=[proposal.pk])


def _no_live_markup(response, data: dict) -> None:
    for fragment in MARKUP:
        if any(fragment in str(value) for value in data.values()):
            assert fragment.encode() not in response.content, data


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_every_review_field_with_a_nasty_value(editor, proposal, value):
    data = {name: value for name in REVIEW_FIELDS}
    response = editor.post(_review(proposal), data)
    assert response.status_code == 200, response.status_code
    _no_live_markup(response, data)
    proposal.refresh_from_db()
    organisation = proposal.organisation
    organisation.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING and organisation.acronym == "AJK"


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_every_campaign_field_with_a_nasty_value(editor, proposal, value):
    data = {name: value for name in CAMPAIGN_FIELDS}
    response = editor.post(CAMPAIGN, data)
    assert response.status_code == 200, response.status_code
    assert response.context["form"].errors
    _no_live_markup(response, data)
    assert not Campaign.objects.exists() and not mail.outbox


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_the_send_link_form_with_a_nasty_value(editor, proposal, value):
    page = reverse("admin:organisations_organisation_send_link", args=[proposal.organisation.pk])
    data = {"address": value, "language": value}
    response = editor.post(page, data)
    assert response.status_code == 200
    _no_live_markup(response, data)
    assert not Message.objects.exists() and not UpdateLink.objects.exists()


@repeatable(40)
@given(
    review=st.dictionaries(
        st.one_of(st.sampled_from(REVIEW_FIELDS), st.text(min_size=1, max_size=12)),
        st.one_of(st.sampled_from(NASTY_VALUES), st.sampled_from(["accept", "reject", "1"])),
        max_size=6,
    ),
    campaign=st.dictionaries(
        st.one_of(st.sampled_from(CAMPAIGN_FIELDS), st.text(min_size=1, max_size=12)),
        st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=40)),
        max_size=7,
    ),
)
def test_generated_staff_posts(editor, proposal, review, campaign):
    proposal.refresh_from_db()
    decided = proposal.status == Proposal.Status.DECIDED
    status = editor.post(_review(proposal), review).status_code
    # An example may decide the proposal; deciding it again is refused.
    assert status in (200, 302) or (status == 403 and decided)
    assert editor.post(CAMPAIGN, campaign).status_code in (200, 302)


@pytest.mark.parametrize("hostile", [*MARKUP, "{{ 7*7 }}", "' OR 1=1 --", "é" * 300])
def test_a_hostile_comment_is_stored_as_typed_and_shown_escaped(editor, proposal, hostile):
    response = editor.post(
        _review(proposal),
        {
            "seen_version": proposal.organisation.version,
            "decision-acronym": "reject",
            "comment-acronym": hostile,
            "comment": hostile,
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.comment == hostile.strip()
    assert proposal.decisions == {"acronym": {"accepted": False, "comment": hostile.strip()}}
    page = editor.get(_review(proposal)).content
    for fragment in MARKUP:
        assert fragment.encode() not in page
    if hostile == "{{ 7*7 }}":
        assert b"{{ 7*7 }}" in page and b"49" not in page
