"""Visitors' corrections and "Add my organisation": no account, spam resisted with nothing
from outside, a proposal waits for staff and changes nothing public; no private value
shown, the sender's e-mail never echoed nor published."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from corrections.models import Proposal, UpdateLink
from corrections.spam import form_stamp
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OrganisationFactory,
    RegionFactory,
    ThemeFactory,
)
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

SENDER_EMAIL = "awa.traore.privee@example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def stamp(seconds_ago: float = 60) -> str:
    return form_stamp(time.time() - seconds_ago)


def suggest_url(organisation) -> str:
    return reverse("corrections:suggest", args=[organisation.slug])


def suggestion(**fields) -> dict:
    return {
        "part": "acronym",
        "value": "AJK-Kayes",
        "message": "",
        "sender_name": "Awa Traoré",
        "sender_email": SENDER_EMAIL,
        "homepage": "",
        "started": stamp(),
        **fields,
    }


def test_it_links_every_profile_to_its_correction_form(client):
    organisation = OrganisationFactory(slug="ajk")
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert 'href="/organisations/ajk/proposer-une-correction/"' in page
    assert "Signaler une erreur ou proposer une modification" in page
    english = client.get("/en" + organisation.get_absolute_url()).content.decode()
    assert 'href="/en/organisations/ajk/proposer-une-correction/"' in english
    assert "Report an error or suggest a change" in english


def test_it_links_the_home_page_and_the_list_to_add_my_organisation(client):
    for address in ("/", "/organisations/"):
        page = client.get(address).content.decode()
        assert 'href="/ajouter-mon-organisation/"' in page
        assert "Ajouter mon organisation" in page


def test_it_records_a_correction_of_a_text_field_and_changes_nothing_public(client):
    organisation = OrganisationFactory(name="Association Jeunesse Kayes", acronym="AJK")

    response = client.post(suggest_url(organisation), suggestion())

    assert response.status_code == 302
    assert response["Location"] == reverse("corrections:thanks")
    proposal = Proposal.objects.get()
    assert (proposal.organisation, proposal.origin, proposal.status) == (
        organisation,
        "public",
        "pending",
    )
    assert proposal.proposed == {"acronym": "AJK-Kayes"}
    assert proposal.original == {"acronym": "AJK"}
    assert proposal.base_version == organisation.version
    assert (proposal.sender_name, proposal.sender_email) == ("Awa Traoré", SENDER_EMAIL)
    organisation.refresh_from_db()
    assert organisation.acronym == "AJK"
    assert "AJK-Kayes" not in client.get(organisation.get_absolute_url()).content.decode()


def test_it_keeps_a_suggestion_about_a_list_part_as_a_message_for_staff(client):
    organisation = OrganisationFactory()

    client.post(
        suggest_url(organisation),
        suggestion(part="zones", value="Kita", message="Elle travaille aussi à Kita."),
    )

    proposal = Proposal.objects.get()
    assert (proposal.part, proposal.proposed) == ("zones", {})
    assert proposal.message == "Kita\n\nElle travaille aussi à Kita."


def test_its_confirmation_shows_nothing_that_was_sent(client):
    organisation = OrganisationFactory()
    response = client.post(suggest_url(organisation), suggestion(), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Merci" in page
    assert SENDER_EMAIL not in page and "AJK-Kayes" not in page and "Awa" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "", "message": ""}, "Écrivez la bonne valeur ou ce qui est faux."),
        ({"part": "year_founded", "value": "vers 1990"}, "Saisissez un nombre entier."),
        ({"part": "year_founded", "value": "1492"}, "supérieure ou égale à 1800"),
        ({"part": "acronym", "value": "A" * 41}, "au plus 40 caractères"),
        ({"part": "members_individuals", "value": "9" * 15}, "inférieure ou égale à 2147483647"),
        ({"part": "description", "value": "x" * 5001}, "au plus 5000 caractères"),
        ({"part": "inconnu"}, "Sélectionnez un choix valide"),
        ({"message": "x" * 5001, "part": "other", "value": ""}, "au plus 5000 caractères"),
        ({"sender_email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide."),
        ({"homepage": "http://spam.example"}, "rempli par un programme"),
        ({"started": form_stamp}, "envoyé trop vite"),  # stamped as the form is sent
        ({"started": "forged"}, "resté ouvert trop longtemps ou a été modifié"),
        ({"started": ""}, "Ce champ est obligatoire."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_records_nothing(client, fields, message):
    organisation = OrganisationFactory()
    fields = {name: value() if callable(value) else value for name, value in fields.items()}

    response = client.post(suggest_url(organisation), suggestion(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_refused_form_keeps_what_was_typed(client):
    organisation = OrganisationFactory()
    response = client.post(
        suggest_url(organisation), suggestion(sender_email="faux", message="Le siège a changé")
    )
    page = response.content.decode()
    assert "Le siège a changé</textarea>" in page
    assert 'value="faux"' in page


def test_it_counts_proposals_per_address_and_hour(client, settings):
    settings.PROPOSAL_RATE_LIMIT = 2
    organisation = OrganisationFactory()
    for _ in range(2):
        assert client.post(suggest_url(organisation), suggestion()).status_code == 302

    refused = client.post(suggest_url(organisation), suggestion())

    assert refused.status_code == 429
    assert "Réessayez dans une heure" in refused.content.decode()
    assert Proposal.objects.count() == 2
    other_address = client.post(suggest_url(organisation), suggestion(), REMOTE_ADDR="41.73.1.2")
    assert other_address.status_code == 302


def test_it_offers_no_form_for_an_unpublished_organisation(client):
    draft = OrganisationFactory(status=Organisation.Status.DRAFT)
    assert client.get(suggest_url(draft)).status_code == 404
    assert client.post(suggest_url(draft), suggestion()).status_code == 404
    assert not Proposal.objects.exists()


def test_its_form_shows_no_private_value(client):
    organisation = OrganisationFactory(staff_notes="Note interne confidentielle")
    ContactChannelFactory(organisation=organisation, value="+22376000001", is_public=False)
    ContactPersonFactory(organisation=organisation, name="Moussa Privé", is_publishable=False)

    page = client.get(suggest_url(organisation)).content.decode()

    assert "Note interne" not in page and "76000001" not in page and "Moussa" not in page
    assert organisation.name in page


def test_it_proposes_a_new_organisation_and_creates_nothing(client):
    kayes = RegionFactory(name="Kayes")
    theme = ThemeFactory(name="Migration de retour")
    page = client.get(reverse("corrections:add_organisation")).content.decode()
    assert "Kayes" in page and "Migration de retour" in page

    response = client.post(
        reverse("corrections:add_organisation"),
        {
            "name": "Association des Rapatriés de Kita",
            "acronym": "ARK",
            "legal_form": "informal",
            "year_founded": "2019",
            "zones": [str(kayes.pk)],
            "themes": [str(theme.pk)],
            "phones": "+223 76 12 34 56\n+223 76 12 34 56",
            "emails": "contact@ark.ml",
            "seat_address": "Kita, quartier Sud",
            "sender_email": SENDER_EMAIL,
            "homepage": "",
            "started": stamp(),
        },
    )

    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.is_new_organisation and proposal.organisation is None
    assert proposal.proposed == {
        "name": "Association des Rapatriés de Kita",
        "acronym": "ARK",
        "legal_form": "informal",
        "year_founded": 2019,
        "zones": [kayes.pk],
        "themes": [theme.pk],
        "seat_address": ["Kita, quartier Sud"],
        "phones": ["+22376123456"],
        "emails": ["contact@ark.ml"],
    }
    assert not Organisation.objects.filter(name__contains="Kita").exists()


def test_it_refuses_a_new_organisation_without_a_name_or_with_a_bad_phone(client):
    response = client.post(
        reverse("corrections:add_organisation"),
        {"name": "", "legal_form": "unknown", "phones": "76 12", "started": stamp()},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in page
    assert "76 12\u00a0» n’est pas un numéro de téléphone" in page
    assert not Proposal.objects.exists()


def test_it_groups_the_places_in_alphabetical_order_accents_aside(client):
    from organisations.factories import CercleFactory, ZoneFactory
    from organisations.models import Zone

    Zone.objects.all().delete()
    mali = ZoneFactory(name="Mali")
    segou, _sikasso = (
        RegionFactory(name="Ségou", parent=mali),
        RegionFactory(name="Sikasso", parent=mali),
    )
    for name in ("San", "Bla", "Ébola test"):
        CercleFactory(name=name, parent=segou)

    groups = client.get(reverse("corrections:add_organisation")).context["form"].choice_groups

    assert [label for label, _zones in groups["zones"]] == [
        "Mali",
        "Ségou (Mali)",
        "Sikasso (Mali)",
    ]
    assert [zone.name for zone in groups["zones"][1][1]] == ["Ségou", "Bla", "Ébola test", "San"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "d" * 5001}, "description", "au plus 5000 caractères (actuellement 5001)"),
        ({"year_founded": "9" * 30}, "year_founded", "inférieure ou égale à 2100"),
        ({"members_countries": "9" * 15}, "members_countries", "inférieure ou égale à 2147483647"),
    ],
)
def test_a_new_organisation_too_long_or_too_large_is_refused_with_a_message(
    client, fields, field, message
):
    from corrections.forms import NEW_ORGANISATION_PARTS

    data = {"name": "ARK", "legal_form": "informal", "homepage": "", "started": stamp(), **fields}
    if field not in NEW_ORGANISATION_PARTS:  # a part only the update link's form offers
        organisation = OrganisationFactory()
        _link, token = UpdateLink.objects.issue(organisation)
        response = client.post(UpdateLink.path_for(token), data)
    else:
        response = client.post(reverse("corrections:add_organisation"), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Proposal.objects.exists()


def test_a_description_already_longer_can_be_sent_back_unchanged(client):
    organisation = OrganisationFactory(description="Longue. " * 1000 + "Fin.", acronym="ARK")
    _link, token = UpdateLink.objects.issue(organisation)
    path = UpdateLink.path_for(token)
    form = client.get(path).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"acronym": "ARK-K", "person-TOTAL_FORMS": "0", "person-INITIAL_FORMS": "0"})

    response = client.post(path, {key: value for key, value in data.items() if value != ""})

    assert response.status_code == 302, response.context["form"].errors
    assert Proposal.objects.get().proposed == {"acronym": "ARK-K"}
