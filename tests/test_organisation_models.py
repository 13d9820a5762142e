"""Validation and database constraints of organisations and their parts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from networks.factories import MembershipFactory, NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    ZoneFactory,
)
from organisations.models import ContactChannel, Organisation

pytestmark = pytest.mark.django_db


def test_it_accepts_an_e164_phone():
    channel = ContactChannelFactory.build(
        organisation=OrganisationFactory(), kind="phone", value="+22320241122"
    )
    channel.full_clean()


@pytest.mark.parametrize("value", ["+223 20241122", "0022320241122", "+223 2202056", "20241122"])
def test_it_rejects_a_phone_not_in_e164(value):
    channel = ContactChannelFactory.build(
        organisation=OrganisationFactory(), kind="phone", value=value
    )
    with pytest.raises(ValidationError) as excinfo:
        channel.full_clean()
    assert "value" in excinfo.value.message_dict


def test_the_database_refuses_an_unflagged_malformed_phone():
    organisation = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannel.objects.create(
            organisation=organisation, kind="phone", value="+ 223 2202056"
        )


def test_it_keeps_a_malformed_source_value_flagged_to_verify():
    organisation = OrganisationFactory()
    channel = ContactChannel(
        organisation=organisation,
        kind="email",
        value="ajdmorga@yahoofr",
        to_verify=True,
        verification_note="Domaine sans point dans le rapport",
    )
    channel.full_clean()
    channel.save()
    stored = ContactChannel.objects.get(pk=channel.pk)
    assert stored.value == "ajdmorga@yahoofr"
    assert stored.to_verify is True


def test_it_rejects_a_malformed_email_unless_flagged():
    channel = ContactChannel(organisation=OrganisationFactory(), kind="email", value="a@b")
    with pytest.raises(ValidationError):
        channel.full_clean()


def test_a_channel_is_stored_once_per_organisation():
    channel = ContactChannelFactory(value="+22376342743")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactChannelFactory(organisation=channel.organisation, value="+22376342743")


def test_public_channels_exclude_private_ones():
    organisation = OrganisationFactory()
    public = ContactChannelFactory(organisation=organisation, value="+22320000001")
    ContactChannelFactory(organisation=organisation, value="+22320000002", is_public=False)
    assert list(organisation.channels.public()) == [public]


def test_a_contact_person_needs_recorded_consent_to_be_published():
    person = ContactPersonFactory.build(organisation=OrganisationFactory(), is_publishable=True)
    with pytest.raises(ValidationError):
        person.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


def test_contact_persons_are_private_by_default():
    person = ContactPersonFactory()
    assert person.is_publishable is False
    assert list(person.organisation.contact_persons.public()) == []


def test_an_informal_organisation_cannot_be_declared():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(legal_form="informal", registration_kind="declared")


def test_an_informal_organisation_can_be_a_de_facto_association():
    organisation = OrganisationFactory(legal_form="informal", registration_kind="de_facto")
    organisation.full_clean()
    assert Organisation.objects.get(pk=organisation.pk).get_registration_kind_display() == (
        "Association de fait (non déclarée)"
    )


def test_the_year_founded_must_be_plausible():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(year_founded=20022)


def test_slugs_are_unique():
    OrganisationFactory(slug="ame")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(slug="ame")


def test_published_lists_only_published_organisations():
    published = OrganisationFactory(status="published")
    OrganisationFactory(status="draft")
    OrganisationFactory(status="archived")
    assert list(Organisation.objects.published()) == [published]


def test_an_organisation_can_have_a_seat_abroad_and_an_office_in_bamako():
    organisation = OrganisationFactory(name="Solidarité France Afrique")
    france = ZoneFactory(name="France", iso_code="FR")
    OfficeFactory(
        organisation=organisation,
        kind="seat",
        address="41A avenue du Général de Gaulle",
        zone=france,
    )
    OfficeFactory(organisation=organisation, kind="office", address="Sébénikoro, Bamako")
    assert sorted(organisation.offices.values_list("kind", flat=True)) == ["office", "seat"]


def test_search_text_folds_accents_case_and_aliases():
    organisation = OrganisationFactory(name="Association Tilé Coura", acronym="ATC")
    OrganisationAliasFactory(organisation=organisation, name="Tilé-Coura Mali")
    organisation.refresh_from_db()
    assert "association tile coura" in organisation.search_text
    assert "tile coura mali" in organisation.search_text
    assert "atc" in organisation.search_text.split()


def test_the_version_grows_on_each_save():
    organisation = OrganisationFactory()
    first = organisation.version
    organisation.description = "Nouvelle description"
    organisation.save()
    assert organisation.version == first + 1


def test_a_network_links_to_the_organisation_that_is_that_network():
    fam = OrganisationFactory(name="Fédération des Associations de Migrants", acronym="FAM")
    network = NetworkFactory(name=fam.name, acronym="FAM", organisation=fam, member_count=34)
    assert fam.network_record == network


def test_an_organisation_is_a_member_of_a_network_once():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(organisation=membership.organisation, network=membership.network)
