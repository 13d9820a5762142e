"""Hostile and generated POSTs to the proposal forms (a profile's correction, "Add my
organisation", the update link's form): never a server error, nothing sent comes back as
live markup, hostile text is stored exactly as typed and shown escaped to staff."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from corrections.models import Proposal, UpdateLink
from corrections.spam import form_stamp
from organisations.factories import OrganisationFactory, RegionFactory
from tests.fuzzing import repeatable
from tests.test_fuzz_query_strings import MARKUP, NASTY_VALUES

ACCEPTED_STATUSES = {200, 302, 400, 429}
FIELDS = [
    "part",
    "value",
    "message",
    "sender_name",
    "sender_email",
    "name",
    "acronym",
    "year_founded",
    "legal_form",
    "zones",
    "phones",
    "emails",
    "seat_address",
    "person-TOTAL_FORMS",
    "person-INITIAL_FORMS",
    "person-0-name",
    "person-0-phone",
    "person-0-consent",
    "started",
]


@pytest.fixture(name="form_urls")
def form_urls_fixture(db):
    cache.clear()
    organisation = OrganisationFactory(name="Association Jeunesse Kayes", zones=[RegionFactory()])
    _link, token = UpdateLink.objects.issue(organisation)
    yield [
        reverse("corrections:suggest", args=[organisation.slug]),
        reverse("corrections:add_organisation"),
        UpdateLink.path_for(token),
        f"/en{UpdateLink.path_for(token)}",
    ]
    cache.clear()


def _check(client, url: str, data: dict) -> None:
    cache.clear()
    response = client.post(url, data)
    assert response.status_code in ACCEPTED_STATUSES, (url, data, response.status_code)
    for fragment in MARKUP:
        if any(fragment in str(value) for value in data.values()):
            assert fragment.encode() not in response.content, (url, data)


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_every_field_with_a_nasty_value_on_every_form(client, form_urls, value):
    for url in form_urls:
        _check(client, url, {name: value for name in FIELDS})
        _check(client, url, {**{name: value for name in FIELDS}, "started": form_stamp(0)})


@repeatable(40)
@given(
    data=st.data(),
    fields=st.dictionaries(
        st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12)),
        st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=60)),
        max_size=8,
    ),
)
def test_generated_posts(client, form_urls, data, fields):
    url = data.draw(st.sampled_from(form_urls), label="url")
    _check(client, url, {**fields, "started": form_stamp(time.time() - 60)})


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_nasty_query_strings_on_every_form_page(client, form_urls, value):
    for url in form_urls:
        response = client.get(url, {"part": value, "started": value, value: value})
        assert response.status_code == 200, (url, value)
        for fragment in MARKUP:
            assert fragment.encode() not in response.content, (url, value)


def test_a_hostile_record_is_shown_escaped_in_the_forms(client, db):
    hostile = OrganisationFactory(
        name='Association <script>alert("x")</script>',
        acronym='"><img src=x onerror=alert(1)>',
        description="</textarea><script>alert(2)</script>",
    )
    _link, token = UpdateLink.objects.issue(hostile)
    for url in (
        reverse("corrections:suggest", args=[hostile.slug]),
        UpdateLink.path_for(token),
    ):
        body = client.get(url).content
        assert b"<script>alert" not in body and b"<img src=x" not in body, url


@pytest.mark.parametrize("hostile", [*MARKUP, "{{ 7*7 }}", "' OR 1=1 --", "é" * 300])
def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, admin_client, db, hostile):
    cache.clear()
    organisation = OrganisationFactory()
    response = client.post(
        reverse("corrections:suggest", args=[organisation.slug]),
        {
            "part": "description",
            "value": hostile,
            "message": hostile,
            "sender_name": hostile[:120],
            "started": form_stamp(time.time() - 60),
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.proposed == {"description": hostile}
    assert (proposal.message, proposal.sender_name) == (hostile, hostile[:120])
    page = admin_client.get(
        reverse("admin:corrections_proposal_change", args=[proposal.pk])
    ).content
    queue = admin_client.get(reverse("admin:corrections_proposal_changelist")).content
    for fragment in MARKUP:
        assert fragment.encode() not in page and fragment.encode() not in queue
    assert b"<script>alert" not in page and b"<img src=x" not in page
    if hostile == "{{ 7*7 }}":
        assert b"{{ 7*7 }}" in page  # shown as typed, never evaluated
