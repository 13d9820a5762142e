"""The review queue in the admin: each proposal part by part against the record; Viewers
see it, Editors accept or reject each part, accepted parts written through the history and
guarded against concurrent edits; a new organisation becomes a draft."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from corrections.factories import NewOrganisationProposalFactory, ProposalFactory
from corrections.models import Proposal, UpdateLink
from crm.roles import EDITORS, VIEWERS
from organisations.factories import (
    ContactChannelFactory,
    OrganisationFactory,
    RegionFactory,
    ThemeFactory,
)
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:corrections_proposal_changelist")


def review_url(proposal) -> str:
    return reverse("admin:corrections_proposal_change", args=[proposal.pk])


@pytest.fixture(name="as_role")
def as_role_fixture(client, django_user_model):
    def login(role):
        user = django_user_model.objects.create_user(
            username=role.lower(), password="x" * 12, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        client.user = user
        return client

    return login


def test_viewers_see_the_queue_in_a_fixed_number_of_queries(as_role, django_assert_max_num_queries):
    for number in range(30):
        ProposalFactory(organisation=OrganisationFactory(acronym=f"O{number}"))
    NewOrganisationProposalFactory()
    client = as_role(VIEWERS)

    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="field-number"') == 31
    assert "Nouvelle" in page and "nouvelle organisation" in page


def test_viewers_see_a_proposal_but_cannot_decide(as_role):
    proposal = ProposalFactory(organisation=OrganisationFactory(acronym="AJK"))
    client = as_role(VIEWERS)
    page = client.get(review_url(proposal)).content.decode()
    assert "AJK-2" in page and 'name="decision-acronym"' not in page
    response = client.post(review_url(proposal), {"decision-acronym": "accept"})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_an_editor_accepts_one_part_and_rejects_another_through_the_history(as_role):
    organisation = OrganisationFactory(acronym="AJK", description="Ancienne description")
    proposal = ProposalFactory(
        organisation=organisation,
        proposed={"acronym": "AJK-K", "description": "<script>alert(1)</script>"},
        original={"acronym": "AJK", "description": "Ancienne description"},
    )
    client = as_role(EDITORS)
    page = client.get(review_url(proposal)).content.decode()
    assert "AJK-K" in page and "Ancienne description" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page

    response = client.post(
        review_url(proposal),
        {
            "seen_version": organisation.version,
            "decision-acronym": "accept",
            "comment-acronym": "Vérifié par téléphone",
            "decision-description": "reject",
            "comment": "Merci",
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.acronym, organisation.description) == ("AJK-K", "Ancienne description")
    latest = organisation.history.first()
    assert latest.history_user == client.user
    assert latest.history_change_reason == f"Depuis la proposition n° {proposal.pk}"
    proposal.refresh_from_db()
    assert proposal.status == "decided" and proposal.decided_by == client.user
    assert proposal.decisions == {
        "acronym": {"accepted": True, "comment": "Vérifié par téléphone"},
        "description": {"accepted": False, "comment": ""},
    }


def test_it_shows_list_parts_as_added_and_removed_and_writes_them(as_role):
    kayes, kita = RegionFactory(name="Kayes"), RegionFactory(name="Kita")
    organisation = OrganisationFactory(zones=[kayes])
    ContactChannelFactory(organisation=organisation, value="+22320240001")
    ContactChannelFactory(organisation=organisation, value="+22376000009", is_public=False)
    proposal = ProposalFactory(
        organisation=organisation,
        origin=Proposal.Origin.ORGANISATION,
        proposed={"zones": [kita.pk], "phones": ["+22366001122"]},
        original={"zones": [kayes.pk], "phones": ["+22320240001"]},
    )
    client = as_role(EDITORS)
    page = client.get(review_url(proposal)).content.decode()
    assert '<ul class="added"><li>Kita</li></ul>' in page
    assert '<ul class="removed"><li>Kayes</li></ul>' in page

    client.post(
        review_url(proposal),
        {
            "seen_version": organisation.version,
            "decision-zones": "accept",
            "decision-phones": "accept",
        },
    )

    assert list(organisation.zones.all()) == [kita]
    assert set(organisation.channels.values_list("value", "is_public")) == {
        ("+22366001122", True),
        ("+22376000009", False),  # a private channel is never touched
    }
    link = organisation.zone_links.get()
    assert link.history.first().history_change_reason == f"Depuis la proposition n° {proposal.pk}"
    organisation.refresh_from_db()
    assert organisation.verified_by == Organisation.VerifiedBy.ORGANISATION


def test_a_part_changed_since_the_proposal_needs_the_editors_confirmation(as_role):
    organisation = OrganisationFactory(acronym="AJK")
    proposal = ProposalFactory(organisation=organisation)  # AJK -> AJK-2
    organisation.acronym = "AJKa"
    organisation.save()
    client = as_role(EDITORS)
    page = client.get(review_url(proposal)).content.decode()
    assert "Modifié depuis la proposition" in page and 'name="confirm-acronym"' in page
    decision = {"seen_version": organisation.version, "decision-acronym": "accept"}

    refused = client.post(review_url(proposal), decision)

    assert refused.status_code == 200
    assert "La fiche a changé après la proposition" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.acronym == "AJKa"
    client.post(review_url(proposal), {**decision, "confirm-acronym": "1"})
    organisation.refresh_from_db()
    assert organisation.acronym == "AJK-2"


def test_it_refuses_to_write_over_a_save_made_while_the_page_was_open(as_role):
    organisation = OrganisationFactory(acronym="AJK")
    proposal = ProposalFactory(organisation=organisation)
    seen = organisation.version
    organisation.description = "Changée entre-temps"
    organisation.save()
    client = as_role(EDITORS)

    response = client.post(
        review_url(proposal), {"seen_version": seen, "decision-acronym": "accept"}
    )

    assert "après que vous l’avez ouverte" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.acronym == "AJK"
    assert Proposal.objects.get().status == "pending"


def test_an_accepted_new_organisation_becomes_a_draft(as_role, client):
    kayes, theme = RegionFactory(name="Kayes"), ThemeFactory()
    proposal = NewOrganisationProposalFactory(
        proposed={
            "name": "Association des Rapatriés de Kita",
            "acronym": "ARK",
            "zones": [kayes.pk],
            "themes": [theme.pk],
            "emails": ["contact@ark.ml"],
            "seat_address": ["Kita"],
        },
    )
    editor = as_role(EDITORS)
    decisions = {f"decision-{key}": "accept" for key in proposal.proposed}

    editor.post(review_url(proposal), {**decisions, "decision-acronym": "reject"})

    created = Organisation.objects.get(name="Association des Rapatriés de Kita")
    assert (created.status, created.acronym, created.slug) == (
        "draft",
        "",
        "association-des-rapatries-de-kita",
    )
    assert list(created.zones.all()) == [kayes] and list(created.themes.all()) == [theme]
    assert created.channels.get().value == "contact@ark.ml"
    assert created.offices.get().address == "Kita"
    proposal.refresh_from_db()
    assert proposal.organisation == created
    client.logout()
    assert client.get(created.get_absolute_url()).status_code == 404


def test_a_new_organisation_shows_the_records_it_may_duplicate(as_role):
    existing = OrganisationFactory(name="Association des Rapatriés de Kita")
    OrganisationFactory(name="Autre association", acronym="AUT")
    proposal = NewOrganisationProposalFactory(
        proposed={"name": "association des rapatries de kita"},
    )
    page = as_role(VIEWERS).get(review_url(proposal)).content.decode()
    assert "Fiches au nom proche déjà dans l’annuaire" in page
    assert existing.name in page and "Autre association" not in page


def test_a_free_text_suggestion_is_marked_done_with_a_comment(as_role):
    proposal = ProposalFactory(part="zones", proposed={}, original={}, message="Aussi à Kita")
    client = as_role(EDITORS)
    page = client.get(review_url(proposal)).content.decode()
    assert "Aussi à Kita" in page and "Marquer comme traitée" in page

    client.post(review_url(proposal), {"comment": "Zone ajoutée à la main"})

    proposal.refresh_from_db()
    assert (proposal.status, proposal.comment) == ("decided", "Zone ajoutée à la main")


def test_an_accepted_person_is_published_with_the_consent_recorded(as_role):
    organisation = OrganisationFactory()
    person = {
        "name": "Fatoumata Diallo",
        "role": "Présidente",
        "phone": "+22366001122",
        "email": "",
        "consent": True,
    }
    proposal = ProposalFactory(
        organisation=organisation,
        origin=Proposal.Origin.ORGANISATION,
        proposed={"contact_persons": [person]},
        original={"contact_persons": []},
        consent_text="Texte du consentement",
        sender_name="Awa",
    )
    as_role(EDITORS).post(review_url(proposal), {"decision-contact_persons": "accept"})

    created = organisation.contact_persons.get()
    assert created.is_publishable and created.consent_date == proposal.created_at.date()
    assert created.consent_given_by.startswith(f"Awa — Depuis la proposition n° {proposal.pk}")


def test_editors_withdraw_update_links_from_their_list(as_role):
    link, token = UpdateLink.objects.issue(OrganisationFactory())
    client = as_role(EDITORS)
    changelist = reverse("admin:corrections_updatelink_changelist")
    assert client.get(reverse("admin:corrections_updatelink_add")).status_code == 403

    client.post(changelist, {"action": "revoke", "_selected_action": [link.pk]})

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert "retiré" in client.get(changelist).content.decode()


def test_a_decided_proposal_cannot_be_deleted_but_a_pending_one_can(as_role):
    organisation = OrganisationFactory(acronym="AJK")
    decided = ProposalFactory(organisation=organisation, status=Proposal.Status.DECIDED)
    pending = ProposalFactory(organisation=organisation)
    client = as_role(EDITORS)

    page = client.get(review_url(decided)).content.decode()
    assert "/delete/" not in page
    one = client.post(
        reverse("admin:corrections_proposal_delete", args=[decided.pk]), {"post": "yes"}
    )
    assert one.status_code == 403
    both = {"action": "delete_selected", "_selected_action": [decided.pk, pending.pk]}
    confirmation = client.post(QUEUE, both)
    assert confirmation.status_code == 200
    assert "propositions décidées (gardées comme trace des changements)" in (
        confirmation.content.decode()
    )
    assert client.post(QUEUE, {**both, "post": "yes"}).status_code == 403
    assert Proposal.objects.filter(pk__in=[decided.pk, pending.pk]).count() == 2

    client.post(reverse("admin:corrections_proposal_delete", args=[pending.pk]), {"post": "yes"})
    assert list(Proposal.objects.values_list("pk", flat=True)) == [decided.pk]
