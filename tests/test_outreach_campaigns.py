"""Campaigns: update links sent to a filtered list, previewed first, recorded, revocable."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from corrections.models import LinkRefused, UpdateLink
from crm.roles import EDITORS, VIEWERS
from jobs.models import Job
from organisations.factories import (
    OrganisationFactory,
    OrganisationZoneFactory,
    RegionFactory,
    TypologyFactory,
    ZoneFactory,
)
from organisations.models import Organisation, Zone
from organisations.verification import record_verification
from outreach.models import Campaign, Message
from outreach.recipients import CampaignFilters, preview
from outreach.sending import run_campaign
from tests.outreach_world import (
    PLANTED,
    email,
    organisation_with_private_values,
    staff_member,
    whole_message,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:outreach_campaign_add")


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(staff_member(django_user_model, EDITORS))
    return client


@pytest.fixture
def kayes_world():
    """In Kayes: two returnee associations (one without an address, one verified last month),
    a draft, an archived one and a network; in Ségou another returnee association."""
    kayes, segou = RegionFactory(name="Kayes"), RegionFactory(name="Ségou")
    family = TypologyFactory(name="Associations de migrants")
    returnees = TypologyFactory(name="Associations de rapatriés", parent=family)
    networks = TypologyFactory(name="Réseaux")

    def placed(name, region, typology, address=None, **fields):
        organisation = OrganisationFactory(name=name, typology=typology, **fields)
        OrganisationZoneFactory(organisation=organisation, zone=region)
        if address:
            email(organisation, address)
        return organisation

    world = {
        "arck": placed("ARCK", kayes, returnees, "arck@example.org"),
        "silent": placed("Rapatriés sans adresse", kayes, returnees),
        "verified": placed("Rapatriés vérifiés", kayes, returnees, "verifies@example.org"),
        "draft": placed("Brouillon", kayes, returnees, "brouillon@example.org", status="draft"),
        "archived": placed("Archivée", kayes, returnees, "archive@example.org", status="archived"),
        "network": placed("Réseau de Kayes", kayes, networks, "reseau@example.org"),
        "in_segou": placed("Rapatriés de Ségou", segou, returnees, "segou@example.org"),
    }
    record_verification(world["verified"], "staff", when=timezone.now() - timedelta(days=30))
    return {"kayes": kayes, "segou": segou, "family": family, "networks": networks, **world}


def _form(world, **fields):
    return {
        "name": "Kayes 2026",
        "language": "fr",
        "regions": [world["kayes"].pk],
        "typologies": [world["family"].pk],
        "not_verified": "on",
        "status": "published",
        **fields,
    }


def test_it_filters_by_region_typology_verification_and_status(kayes_world):
    filters = CampaignFilters(
        regions=(kayes_world["kayes"].pk,),
        typologies=(kayes_world["family"].pk,),
        not_verified=True,
        status="published",
    )
    assert set(filters.organisations()) == {kayes_world["arck"], kayes_world["silent"]}
    everything = CampaignFilters(status="")
    assert kayes_world["archived"] not in everything.organisations()
    assert kayes_world["draft"] in everything.organisations()


def test_it_previews_the_count_and_who_has_no_address_before_sending(editor, kayes_world):
    response = editor.post(ADD, _form(kayes_world))

    assert response.status_code == 200
    found = response.context["preview"]
    assert (found.selected, found.without_address, found.reachable) == (2, 1, 1)
    page = response.content.decode()
    assert "Rapatriés sans adresse" in page
    assert "Envoyer à 1 organisation" in page
    assert mail.outbox == [] and not Campaign.objects.exists()


def test_it_sends_the_campaign_and_records_each_message(editor, kayes_world):
    response = editor.post(ADD, _form(kayes_world, not_verified="", _send="1"))

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:outreach_campaign_change", args=[campaign.pk])
    assert sorted(m.to[0] for m in mail.outbox) == ["arck@example.org", "verifies@example.org"]
    assert (campaign.selected, campaign.without_address, campaign.sent, campaign.failed) == (
        3,
        1,
        2,
        0,
    )
    assert campaign.filters == {
        "regions": [kayes_world["kayes"].pk],
        "typologies": [kayes_world["family"].pk],
        "not_verified": False,
        "status": "published",
    }
    messages = Message.objects.filter(campaign=campaign)
    assert {(m.organisation.name, m.address) for m in messages} == {
        ("ARCK", "arck@example.org"),
        ("Rapatriés vérifiés", "verifies@example.org"),
    }
    assert all(m.sent_at and m.link.organisation == m.organisation for m in messages)
    assert campaign.finished_at is not None


def test_it_writes_the_campaign_in_its_language(editor, kayes_world):
    editor.post(ADD, _form(kayes_world, language="en", _send="1"))

    assert mail.outbox[0].subject == "Please review the information of ARCK in the directory"
    assert "/en/mise-a-jour/" in mail.outbox[0].body


def test_it_refuses_a_campaign_nobody_can_receive(editor, kayes_world):
    region = RegionFactory(name="Tombouctou")
    response = editor.post(ADD, _form(kayes_world, regions=[region.pk], _send="1"), follow=True)

    assert "Aucune organisation sélectionnée n’a d’adresse e-mail." in response.content.decode()
    assert mail.outbox == []


def test_it_refuses_unknown_choices_with_a_message(editor, kayes_world):
    response = editor.post(ADD, _form(kayes_world, regions=["999999"], _send="1"))

    assert response.status_code == 200
    assert response.context["form"].errors["regions"]
    assert not Campaign.objects.exists() and mail.outbox == []


def test_it_runs_a_large_campaign_as_a_background_job(editor, kayes_world, settings):
    settings.OUTREACH_BACKGROUND_MESSAGES = 1

    response = editor.post(ADD, _form(kayes_world, not_verified="", _send="1"))

    assert response["Location"] == reverse("admin:jobs_job_changelist")
    job = Job.objects.get()
    campaign = Campaign.objects.get()
    assert (job.kind, job.status) == ("outreach_campaign", Job.Status.DONE)
    assert job.message == "E-mails envoyés : 2 ; échecs : 0."
    assert job.result_url == reverse("admin:outreach_campaign_change", args=[campaign.pk])
    assert campaign.sent == 2 and len(mail.outbox) == 2


def test_a_campaign_run_again_writes_only_to_those_not_reached(kayes_world):
    campaign = Campaign.objects.create(
        name="Relance", filters=CampaignFilters(regions=(kayes_world["kayes"].pk,)).as_json()
    )
    run_campaign(campaign, "https://annuaire.example.org")
    first = len(mail.outbox)

    run_campaign(campaign, "https://annuaire.example.org")

    assert first == 3  # arck, verified, network
    assert len(mail.outbox) == first
    assert campaign.sent == 3


def test_it_withdraws_every_link_of_a_campaign(editor, kayes_world):
    editor.post(ADD, _form(kayes_world, not_verified="", _send="1"))
    campaign = Campaign.objects.get()
    tokens = [m.body.split("/mise-a-jour/", 1)[1].split("/", 1)[0] for m in mail.outbox]
    other = OrganisationFactory()
    _link, other_token = UpdateLink.objects.issue(other)

    response = editor.post(
        reverse("admin:outreach_campaign_changelist"),
        {"action": "revoke_links", "_selected_action": [campaign.pk]},
        follow=True,
    )

    assert "2 liens de mise à jour retirés." in response.content.decode()
    for token in tokens:
        with pytest.raises(LinkRefused) as refusal:
            UpdateLink.objects.resolve(token)
        assert refusal.value.reason == LinkRefused.REVOKED
    assert UpdateLink.objects.resolve(other_token).organisation == other
    campaign.refresh_from_db()
    assert campaign.links_revoked_at is not None


def test_it_withdraws_the_links_of_chosen_messages(editor, kayes_world):
    editor.post(ADD, _form(kayes_world, not_verified="", _send="1"))
    arck = Message.objects.get(organisation=kayes_world["arck"])

    editor.post(
        reverse("admin:outreach_message_changelist"),
        {"action": "revoke_links", "_selected_action": [arck.pk]},
    )

    assert set(UpdateLink.objects.filter(revoked_at__isnull=False)) == {arck.link}
    page = editor.get(
        reverse("admin:organisations_organisation_send_link", args=[arck.organisation.pk])
    ).content.decode()
    with translation.override("fr"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"retiré le {today}" in page
    assert "utilisable jusqu’au" not in page


def test_viewers_see_campaigns_but_neither_send_nor_withdraw(
    client, django_user_model, editor, kayes_world
):
    editor.post(ADD, _form(kayes_world, _send="1"))
    client.force_login(staff_member(django_user_model, VIEWERS))
    campaign = Campaign.objects.get()

    assert client.get(reverse("admin:outreach_campaign_changelist")).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _form(kayes_world, _send="1")).status_code == 403
    client.post(
        reverse("admin:outreach_campaign_changelist"),
        {"action": "revoke_links", "_selected_action": [campaign.pk]},
    )
    assert not UpdateLink.objects.filter(revoked_at__isnull=False).exists()
    assert len(mail.outbox) == 1


def test_it_uses_one_of_the_organisations_addresses_and_no_private_value(kayes_world):
    organisation = organisation_with_private_values(name="Témoin")
    OrganisationZoneFactory(organisation=organisation, zone=kayes_world["segou"])
    email(organisation, "publique@example.org", position=9)
    campaign = Campaign.objects.create(
        name="Ségou", filters=CampaignFilters(regions=(kayes_world["segou"].pk,)).as_json()
    )

    run_campaign(campaign, "https://annuaire.example.org")

    sent = {m.to[0]: m for m in mail.outbox}
    # A public address comes before a private one.
    assert set(sent) == {"segou@example.org", "publique@example.org"}
    text = whole_message(sent["publique@example.org"])
    for planted in PLANTED.values():
        assert planted not in text


def test_selecting_does_not_query_per_organisation(kayes_world, django_assert_max_num_queries):
    region = kayes_world["kayes"]
    for n in range(40):
        organisation = OrganisationFactory(name=f"Association {n}")
        OrganisationZoneFactory(organisation=organisation, zone=region)
        if n % 2:
            email(organisation, f"contact{n}@example.org")
    filters = CampaignFilters(regions=(region.pk,), not_verified=True)

    with django_assert_max_num_queries(3):
        found = preview(filters)

    assert (found.selected, found.without_address) == (43, 21)


def test_sending_a_campaign_takes_a_few_queries_per_message(
    kayes_world, django_assert_max_num_queries
):
    region = kayes_world["segou"]
    for n in range(30):
        organisation = OrganisationFactory(name=f"Association {n}")
        OrganisationZoneFactory(organisation=organisation, zone=region)
        email(organisation, f"contact{n}@example.org")
    campaign = Campaign.objects.create(
        name="Ségou", filters=CampaignFilters(regions=(region.pk,)).as_json()
    )

    # The regions' paths, the organisations with their address; per message its link and
    # its record; then the campaign's counts, read back.
    with django_assert_max_num_queries(4 + 2 * 31):
        run_campaign(campaign, "https://annuaire.example.org")

    assert len(mail.outbox) == 31
    assert Organisation.objects.count() > 31


def test_it_offers_the_regions_in_alphabetical_order_accents_aside(editor, db):
    Zone.objects.all().delete()
    mali = ZoneFactory(name="Mali")
    for name in ("Sikasso", "Ségou", "école test", "Kayes", "Zinder"):
        RegionFactory(name=name, parent=mali)

    form = editor.get(ADD).context["form"]

    labels = [label for _pk, label in form.fields["regions"].choices]
    assert labels == [
        "école test (Mali)",
        "Kayes (Mali)",
        "Ségou (Mali)",
        "Sikasso (Mali)",
        "Zinder (Mali)",
    ]
