"""A small Mali for the public directory tests (factories, not the seed)."""

from dataclasses import dataclass

from needs.factories import NeedCategoryFactory, OrganisationNeedFactory
from networks.factories import NetworkFactory
from networks.models import Network
from organisations.factories import (
    OrganisationAliasFactory,
    OrganisationFactory,
    PartnerFactory,
    ThemeFactory,
    TypologyFactory,
    ZoneFactory,
)
from organisations.models import Organisation, Zone


@dataclass
class World:
    mali: Zone
    kayes: Zone
    yelimane: Zone
    gao: Zone
    segou: Zone
    france: Zone
    tile_coura: Organisation
    refoules: Organisation
    omrib: Organisation
    grdr: Organisation
    draft: Organisation


def zone(name, level, parent=None, **fields) -> Zone:
    return ZoneFactory(name=name, level=level, parent=parent, **fields)


def organisation(zones=(), aliases=(), **fields) -> Organisation:
    created = OrganisationFactory(zones=list(zones), **fields)
    for alias in aliases:
        OrganisationAliasFactory(organisation=created, name=alias)
    created.refresh_search_text()
    return created


def build_world() -> World:
    """Zones, catalogues and organisations the directory pages are tested against.

    It stays whole: the tests count rows and facets of what is built here, so the world is
    read top to bottom in one place.
    """
    mali = zone("Mali", "country", iso_code="ML", iso_numeric="466", name_en="Mali")
    france = zone("France", "country", iso_code="FR", iso_numeric="250")
    kayes = zone("Kayes", "region", mali, latitude=14.447, longitude=-11.446)
    yelimane = zone("Yélimané", "cercle", kayes)
    gao = zone("Gao", "region", mali, latitude=16.272, longitude=-0.045)
    segou = zone("Ségou", "region", mali, latitude=13.432, longitude=-6.216)

    national = TypologyFactory(name="Associations et ONG nationales", slug="nationales")
    local = TypologyFactory(name="Organisations locales", slug="locales", parent=national)
    returnees = TypologyFactory(name="Associations de migrants de retour", slug="retour")
    international = TypologyFactory(name="ONG internationales", slug="internationales")

    reintegration = ThemeFactory(name="Réinsertion des migrants de retour", slug="reinsertion")
    protection = ThemeFactory(name="Protection des migrants", slug="protection")
    diaspora = ThemeFactory(name="Diaspora et développement", slug="diaspora")

    tile_coura = organisation(
        [segou],
        name="Association Tilé Coura",
        acronym="ATC",
        slug="atc",
        typology=national,
        themes=[protection],
        scope="national",
    )
    refoules = organisation(
        [gao],
        aliases=["Association Malienne des Expulsés du Nord"],
        name="Association des Refoulés d'Afrique Centrale au Mali",
        acronym="ARACEM",
        slug="aracem",
        typology=returnees,
        themes=[reintegration, protection],
        legal_form="formal",
        registration_kind="approved",
        scope="national",
        budget_band="5k_100k",
        description="Accueil et réinsertion des migrants refoulés.",
    )
    omrib = organisation(
        [yelimane],
        name="Organisation Malienne pour le Renforcement des Initiatives de Base",
        acronym="OMRIB",
        slug="omrib",
        typology=local,
        themes=[reintegration],
        scope="cercle",
        budget_band="under_5k",
    )
    grdr = organisation(
        [kayes, france],
        name="Grdr Migration-Citoyenneté-Développement",
        acronym="Grdr",
        slug="grdr",
        typology=international,
        themes=[reintegration, diaspora],
        scope="international",
        registration_country=france,
        budget_band="over_100k",
    )
    draft = organisation(
        [gao],
        name="Brouillon de Gao",
        slug="brouillon",
        typology=returnees,
        themes=[reintegration],
        status="draft",
    )

    platform = NetworkFactory(
        name="Plateforme nationale migration", slug="plateforme", members=[refoules, tile_coura]
    )
    NetworkFactory(
        name="Réseau africain migration",
        slug="africain",
        level=Network.Level.AFRICAN,
        members=[grdr, draft],
    )
    assert platform.level == Network.Level.NATIONAL
    PartnerFactory(name="Union européenne", slug="ue")
    refoules.partnerships.create(partner=PartnerFactory(name="Coopération suisse", slug="ddc"))
    OrganisationNeedFactory(
        organisation=refoules,
        category=NeedCategoryFactory(name="Gestion financière", slug="finances"),
        is_public=True,
    )
    OrganisationNeedFactory(
        organisation=omrib,
        category=NeedCategoryFactory(name="Plaidoyer", slug="plaidoyer"),
        is_public=False,
    )
    return World(
        mali, kayes, yelimane, gao, segou, france, tile_coura, refoules, omrib, grdr, draft
    )
