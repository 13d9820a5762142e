"""The organisation profile: public fields, private data absent, referral."""

import pytest
from django.urls import reverse

from directory.facet_index import Audience, facet_index
from directory.referral import related_in_index
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationFactory,
    SourceFactory,
)
from organisations.models import Organisation
from tests.directory_world import build_world, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def profile(client, slug: str):
    return client.get(reverse("directory:organisation_detail", args=[slug]))


def test_it_shows_every_public_field(client, world):
    refoules = world.refoules
    refoules.source = SourceFactory(document="Synthèse nationale Mali 2022", section="Tableau 13")
    refoules.members_organisations = 34
    refoules.save()
    OfficeFactory(organisation=refoules, address="Hippodrome, Bamako")
    ContactChannelFactory(organisation=refoules, kind="email", value="contact@aracem.org")
    response = profile(client, "aracem")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        "<h1>Association des Refoulés d&#x27;Afrique Centrale au Mali",
        "Associations de migrants de retour",
        "Gao",
        "Réinsertion des migrants de retour",
        "Plateforme nationale migration",
        "Coopération suisse",
        "Gestion financière",
        "Hippodrome, Bamako",
        'href="mailto:contact@aracem.org"',
        "34",
        "Synthèse nationale Mali 2022, Tableau 13",
        "Association Malienne des Expulsés du Nord",
    ]:
        assert expected in html, expected
    assert html.count("<h1") == 1


def test_private_values_never_appear(client, world):
    omrib = world.omrib
    omrib.staff_notes = "NOTE-PRIVEE-123"
    omrib.save()
    ContactChannelFactory(organisation=omrib, value="+22376000001", is_public=False)
    ContactChannelFactory(organisation=omrib, value="+22376000002")
    ContactPersonFactory(organisation=omrib, name="Moussa Privé", phone="+22376000003")
    html = profile(client, "omrib").content.decode()
    assert "+22376000002" in html
    for private in ["NOTE-PRIVEE-123", "+22376000001", "Moussa Privé", "+22376000003", "Plaidoyer"]:
        assert private not in html
    listing = client.get(reverse("directory:organisation_list")).content.decode()
    assert "Plaidoyer" not in listing


def test_unknown_and_unpublished_organisations_are_404(client, world):
    assert profile(client, "nobody").status_code == 404
    assert profile(client, "brouillon").status_code == 404


def test_referral_ranks_by_shared_zones_and_themes(client, world):
    reintegration = world.omrib.themes.get()
    same_cercle = organisation(
        [world.yelimane], name="Même cercle", slug="meme-cercle", themes=[reintegration]
    )
    organisation([world.segou], name="Autre région", slug="autre-region", themes=[reintegration])
    nationwide = organisation(
        [world.mali], name="Tout le Mali", slug="tout-le-mali", themes=[reintegration]
    )
    organisation([world.yelimane], name="Autre thème", slug="autre-theme")
    organisation(
        [world.yelimane],
        name="Brouillon voisin",
        slug="brouillon-voisin",
        themes=[reintegration],
        status="draft",
    )
    referrals = related_in_index(
        Organisation.objects.get(pk=world.omrib.pk), facet_index(), Audience.PUBLIC
    )
    ranked = [r.organisation.slug for r in referrals]
    # Same cercle (3) beats the region around it (Grdr in Kayes: 2), then the whole country
    # (1); another region, another theme or a draft is no referral.
    assert ranked == ["meme-cercle", "grdr", nationwide.slug]
    html = profile(client, "omrib").content.decode()
    assert html.index(same_cercle.get_absolute_url()) < html.index(world.grdr.get_absolute_url())


def test_the_profile_query_count_is_fixed(client, world, django_assert_max_num_queries):
    for n in range(10):
        ContactChannelFactory(organisation=world.refoules, value=f"+2237600{n:04d}")
        OrganisationFactory(zones=[world.gao], themes=list(world.refoules.themes.all()))
    profile(client, "omrib")  # the first request after a write rebuilds the index
    # The 15th: the last change a person made, the date of the data shown; the 16th: the
    # (here empty) list of its services.
    with django_assert_max_num_queries(16):
        assert profile(client, "aracem").status_code == 200
