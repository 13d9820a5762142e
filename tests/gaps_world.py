"""A small Mali whose answers are known: organisations at cercle, commune, region and
country level, themes and people served with nobody somewhere, and unpublished
organisations that must never be counted (where help is missing, the 3W file)."""

from dataclasses import dataclass

from organisations.factories import OrganisationFactory, ThemeFactory, TypologyFactory, ZoneFactory
from organisations.models import Theme, Zone
from services.factories import ServiceFactory
from services.models import PopulationGroup

HIDDEN = "ORGANISATION-CACHEE"


@dataclass
class World:
    mali: Zone
    kayes: Zone
    gao: Zone
    segou: Zone
    yelimane: Zone
    kita: Zone
    protection: Theme
    reinsertion: Theme
    diaspora: Theme
    returnees: PopulationGroup
    expelled: PopulationGroup


def build_world() -> World:
    """Three regions of Mali (Ségou with nobody), two cercles of Kayes, three themes
    (diaspora with nobody), published organisations at cercle, commune, region and
    country level, and a draft and an archived organisation that must never count."""
    mali = ZoneFactory(name="Mali", level="country", iso_code="ML", iso_numeric="466")
    kayes = ZoneFactory(
        name="Kayes", level="region", parent=mali, iso_code="ML-1", latitude=14.4, longitude=-11.4
    )
    gao = ZoneFactory(
        name="Gao", level="region", parent=mali, iso_code="ML-7", latitude=16.3, longitude=0.0
    )
    segou = ZoneFactory(
        name="Ségou", level="region", parent=mali, iso_code="ML-4", latitude=13.4, longitude=-6.2
    )
    yelimane = ZoneFactory(name="Yélimané", level="cercle", parent=kayes)
    kita = ZoneFactory(name="Kita", level="cercle", parent=kayes, official_code="ML0105")
    sirakoro = ZoneFactory(name="Sirakoro", level="commune", parent=kita)
    protection = ThemeFactory(name="Protection", slug="protection")
    reinsertion = ThemeFactory(name="Réinsertion", slug="reinsertion")
    diaspora = ThemeFactory(name="Diaspora", slug="diaspora")
    association = TypologyFactory(name="Associations", slug="associations")
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    expelled = PopulationGroup.objects.get(slug="migrants-expulses")

    def organisation(name: str, slug: str, zones: list[Zone], themes: list[Theme]):
        return OrganisationFactory(
            name=name, slug=slug, typology=association, zones=zones, themes=themes
        )

    in_cercle = organisation("Dans un cercle", "cercle", [yelimane], [protection])
    in_region = organisation("Dans une région", "region", [kayes], [protection, reinsertion])
    in_gao = organisation("À Gao", "gao", [gao], [reinsertion])
    organisation("Dans une commune", "commune", [sirakoro], [])  # no theme
    organisation("Partout", "partout", [mali], [protection])  # country level
    for status in ("draft", "archived"):
        hidden = OrganisationFactory(
            name=f"{HIDDEN} {status}",
            status=status,
            zones=[segou, yelimane],
            themes=[diaspora, protection],
        )
        ServiceFactory(organisation=hidden, zones=[segou], populations=[expelled])

    ServiceFactory(organisation=in_cercle, zones=[mali], populations=[returnees])
    ServiceFactory(organisation=in_region, zones=[yelimane], populations=[returnees])
    ServiceFactory(organisation=in_gao, zones=[gao], populations=[expelled])
    ServiceFactory(organisation=in_gao, zones=[segou], populations=[returnees], status="draft")
    return World(
        mali, kayes, gao, segou, yelimane, kita, protection, reinsertion, diaspora, returnees,
        expelled,
    )  # fmt: skip
