"""The organisation's own page behind its update link: its public record as a form whose
sending makes a proposal (never a direct write), "our information is still correct", and
nothing of another organisation read or changed."""

import pytest

from corrections.models import Proposal, UpdateLink
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationFactory,
    RegionFactory,
)
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(name="organisation")
def organisation_fixture():
    organisation = OrganisationFactory(
        name="Association des Rapatriés de Kayes",
        acronym="ARK",
        staff_notes="Note interne confidentielle",
        zones=[RegionFactory(name="Kayes")],
    )
    ContactChannelFactory(organisation=organisation, value="+22320240001")
    ContactChannelFactory(organisation=organisation, value="+22376000009", is_public=False)
    ContactPersonFactory(organisation=organisation, name="Moussa Caché", is_publishable=False)
    OfficeFactory(organisation=organisation, address="Kayes, Légal Ségou")
    return organisation


def form_data(client, path) -> dict:
    """The form as the page fills it in (what a browser would send unchanged)."""
    form = client.get(path).context["form"]
    persons = client.get(path).context["persons"]
    data = {}
    for bound in [*form, *persons.management_form, *(f for p in persons for f in p)]:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value
        if value is True:
            data[bound.html_name] = "on"
    return data


def test_it_shows_the_public_record_and_no_private_value(client, organisation):
    _link, token = UpdateLink.objects.issue(organisation)
    page = client.get(UpdateLink.path_for(token)).content.decode()
    assert "+22320240001" in page and "Kayes, Légal Ségou" in page
    assert "Nos informations sont toujours exactes" in page
    assert "76000009" not in page and "Moussa" not in page and "Note interne" not in page


def test_sending_it_unchanged_records_nothing_and_says_so(client, organisation):
    _link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    response = client.post(path, form_data(client, path))
    assert response.status_code == 400
    assert "Rien n’a été modifié dans le formulaire" in response.content.decode()
    assert not Proposal.objects.exists()


def test_it_makes_a_proposal_of_what_changed_and_writes_nothing(client, organisation):
    link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    data = form_data(client, path)
    data.update(
        {
            "acronym": "ARKa",
            "phones": "+22320240001\n+223 76 55 44 33",
            "person-0-name": "Fatoumata Diallo",
            "person-0-role": "Présidente",
            "person-0-phone": "+223 66 00 11 22",
            "person-0-consent": "on",
            "sender_name": "Fatoumata Diallo",
        }
    )

    response = client.post(path, data)

    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.organisation, proposal.origin, proposal.update_link) == (
        organisation,
        "organisation",
        link,
    )
    assert proposal.proposed == {
        "acronym": "ARKa",
        "phones": ["+22320240001", "+22376554433"],
        "contact_persons": [
            {
                "name": "Fatoumata Diallo",
                "role": "Présidente",
                "phone": "+22366001122",
                "email": "",
                "consent": True,
            }
        ],
    }
    assert proposal.original == {
        "acronym": "ARK",
        "phones": ["+22320240001"],
        "contact_persons": [],
    }
    assert "accepte d’être publiée" in proposal.consent_text
    organisation.refresh_from_db()
    assert organisation.acronym == "ARK"
    assert organisation.channels.count() == 2 and organisation.contact_persons.count() == 1


def test_our_information_is_still_correct_records_a_verification(client, organisation):
    link, token = UpdateLink.objects.issue(organisation)

    response = client.post(f"{UpdateLink.path_for(token)}toujours-exactes/")

    assert response.status_code == 200
    assert "Merci" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.verified_by == Organisation.VerifiedBy.ORGANISATION
    latest = organisation.history.first()
    assert latest.history_change_reason == f"Confirmé par l’organisation (lien n° {link.pk})"
    assert not Proposal.objects.exists()


def test_a_withdrawn_link_neither_verifies_nor_proposes(client, organisation):
    link, token = UpdateLink.objects.issue(organisation)
    link.revoke()
    path = UpdateLink.path_for(token)
    assert client.post(f"{path}toujours-exactes/").status_code == 410
    assert client.post(path, {"acronym": "X", "name": "X"}).status_code == 410
    organisation.refresh_from_db()
    assert organisation.verified_at is None
    assert not Proposal.objects.exists()


def test_a_link_reads_and_changes_nothing_of_another_organisation(client, organisation):
    other = OrganisationFactory(name="Autre Organisation Témoin", acronym="AOT")
    other_office = OfficeFactory(organisation=other, address="Adresse de l'autre")
    other_person = ContactPersonFactory(organisation=other, is_publishable=False)
    _link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    data = form_data(client, path)
    # Ids of the other organisation slipped into the form, as a tamperer would.
    data.update(
        {
            "acronym": "ARK2",
            "organisation": str(other.pk),
            "organisation_id": str(other.pk),
            "slug": other.slug,
            "id": str(other.pk),
            "office-0-id": str(other_office.pk),
            "person-0-id": str(other_person.pk),
        }
    )

    assert "Autre Organisation" not in client.get(path).content.decode()
    client.post(path, data)

    proposal = Proposal.objects.get()
    assert proposal.organisation == organisation
    assert proposal.proposed == {"acronym": "ARK2"}
    other.refresh_from_db()
    assert (other.acronym, other.version) == ("AOT", 1)
    assert other.offices.get().address == "Adresse de l'autre"
    assert not other.proposals.exists()


@pytest.mark.parametrize(
    ("language", "change", "text"),
    [
        ("", {"revoked_at": "2026-01-07T12:00Z"}, "a été retiré le 7 janvier 2026"),
        ("", {"expires_at": "2026-01-05T12:00Z"}, "a expiré le 5 janvier 2026"),
        ("/en", {"expires_at": "2026-01-05T12:00Z"}, "expired on Jan. 5, 2026"),
    ],
)
def test_a_refused_link_says_since_when_in_the_visitors_language(
    client, organisation, language, change, text
):
    link, token = UpdateLink.objects.issue(organisation)
    UpdateLink.objects.filter(pk=link.pk).update(**change)
    response = client.get(f"{language}{UpdateLink.path_for(token)}")
    assert response.status_code == 410
    assert text in response.content.decode()


def test_a_link_of_an_organisation_archived_since_opens_nothing_and_records_nothing(
    client, organisation
):
    _link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ARCHIVED)

    page = client.get(path)
    sent = client.post(path, {"acronym": "ARK2"})
    confirmed = client.post(f"{path}toujours-exactes/")

    assert page.status_code == sent.status_code == confirmed.status_code == 410
    assert "a archivé la fiche de cette organisation depuis l’envoi de ce lien" in (
        page.content.decode()
    )
    assert not organisation.proposals.exists()
    organisation.refresh_from_db()
    assert organisation.verified_at is None


def test_the_consent_wording_shown_is_recorded_with_its_date_and_shown_to_staff(
    client, organisation, admin_client
):
    import html
    import re

    from django.utils import formats

    _link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    page = client.get(path).content.decode()
    box = re.search(r'<input type="checkbox" name="person-0-consent"[^>]*>', page).group(0)
    assert 'aria-describedby="consent-wording"' in box
    assert '<label for="id_person-0-consent">Cette personne accepte d’être publiée</label>' in page
    shown = html.unescape(re.search(r'<p class="help" id="consent-wording">([^<]*)</p>', page)[1])
    assert shown.startswith("En cochant « Cette personne accepte d’être publiée »")
    assert shown.endswith("L’annuaire enregistre ce texte et la date d’envoi du formulaire.")

    data = form_data(client, path)
    data.update({"person-0-name": "Fatoumata Diallo", "person-0-consent": "on"})
    assert client.post(path, data).status_code == 302

    proposal = Proposal.objects.get()
    assert proposal.consent_text == shown
    review = admin_client.get(f"/admin/corrections/proposal/{proposal.pk}/change/")
    day = formats.date_format(proposal.created_at, "DATE_FORMAT")
    assert f"(accepté le {day})" in review.content.decode()
    assert html.escape(shown) in review.content.decode()
