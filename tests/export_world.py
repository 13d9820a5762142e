"""A few organisations with every kind of part, and planted private values.

Shared by the export and API tests. The private values carry the word PRIVATE so a
test can assert that none leaks into a public file or response.
"""

import datetime
from dataclasses import dataclass

from needs.factories import NeedActivityFactory, NeedCategoryFactory, OrganisationNeedFactory
from networks.factories import MembershipFactory, NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationIdentifierFactory,
    PartnerFactory,
    ThemeFactory,
    ThemeGroupFactory,
    TypologyFactory,
    ZoneFactory,
)
from organisations.models import ContactChannel, Organisation, Zone

PRIVATE_PHONE = "+22399999999"
PRIVATE_EMAIL = "private-channel@example.org"
PRIVATE_PERSON = "PRIVATE person Moussa"
PRIVATE_NOTES = "PRIVATE staff notes"
PRIVATE_NEED = "formation-privee"


@dataclass
class ExportWorld:
    mali: Zone
    kayes: Zone
    bafoulabe: Zone
    gao: Zone
    ame: Organisation
    blaam: Organisation
    gao_house: Organisation
    draft: Organisation


def build_export_world() -> ExportWorld:
    """One small directory with a value of every kind, public and private.

    It stays whole: the tests assert exact cells of what is built here, so the world is
    read top to bottom in one place.
    """
    mali = ZoneFactory(name="Mali", level="country", iso_code="ML")
    kayes = ZoneFactory(name="Kayes", level="region", parent=mali, iso_code="ML-1")
    bafoulabe = ZoneFactory(name="Bafoulabé", level="cercle", parent=kayes)
    gao = ZoneFactory(name="Gao", level="region", parent=mali, iso_code="ML-7")

    family = TypologyFactory(name="Associations de migrants de retour", slug="retour")
    group = ThemeGroupFactory(name="Accompagnement", slug="accompagnement")
    reintegration = ThemeFactory(name="Réinsertion", slug="reinsertion", group=group)
    protection = ThemeFactory(name="Protection", slug="protection", group=group)
    eu = PartnerFactory(name="Union européenne", acronym="UE", slug="ue")
    network = NetworkFactory(name="Réseau Migration", slug="reseau-migration")
    training = NeedCategoryFactory(name="Formation", slug="formation")
    advocacy = NeedCategoryFactory(name="Plaidoyer", slug="plaidoyer")
    private_category = NeedCategoryFactory(name="Formation privée", slug=PRIVATE_NEED)
    activity = NeedActivityFactory(category=training, name="Gestion de projet", position=3)

    ame = OrganisationFactory(
        name="Association Malienne des Expulsés",
        acronym="AME",
        slug="ame",
        typology=family,
        registration_country=mali,
        year_founded=1996,
        scope="national",
        description='=HYPERLINK("http://evil")',
        staff_notes=PRIVATE_NOTES,
        zones=[kayes, bafoulabe],
        themes=[reintegration, protection],
        partners=[eu],
    )
    OrganisationAliasFactory(organisation=ame, name="Association des Expulsés du Mali")
    OrganisationIdentifierFactory(organisation=ame, scheme="kobo-uuid", value="abc-123")
    OfficeFactory(organisation=ame, address="Djélibougou, route de Koulikoro, Bamako", zone=mali)
    for kind, value, position in [
        ("phone", "+22320241122", 0),
        ("phone", "+22366772111", 1),
        ("email", "expulsesmaliensbasta@yahoo.fr", 0),
        ("website", "www.expulsesmaliens.info", 0),
        ("social", "-facebook.com/ame", 0),
    ]:
        ContactChannelFactory(organisation=ame, kind=kind, value=value, position=position)
    ContactChannelFactory(organisation=ame, kind="phone", value=PRIVATE_PHONE, is_public=False)
    ContactChannelFactory(organisation=ame, kind="email", value=PRIVATE_EMAIL, is_public=False)
    ContactPersonFactory(
        organisation=ame,
        name="Ousmane Diarra",
        role="Président",
        phone="+22376000000",
        email="o.diarra@example.org",
        is_publishable=True,
        consent_given_by="Ousmane Diarra",
        consent_date=datetime.date(2026, 3, 1),
    )
    ContactPersonFactory(organisation=ame, name=PRIVATE_PERSON, role="Trésorier", notes="x")
    MembershipFactory(organisation=ame, network=network, role="Membre fondateur", since_year=2012)
    OrganisationNeedFactory(organisation=ame, category=training, activity=activity, is_public=True)
    OrganisationNeedFactory(organisation=ame, category=advocacy, is_public=True)
    OrganisationNeedFactory(organisation=ame, category=private_category, is_public=False)
    ame.refresh_search_text()

    blaam = OrganisationFactory(
        name="Bloc d'Aide et d'Accompagnement des Migrants",
        acronym="BLAAM",
        slug="blaam",
        typology=family,
        zones=[gao],
        themes=[protection],
        website_status=Organisation.WebsiteStatus.NONE,
    )
    OfficeFactory(organisation=blaam, address="@Niamakoro Cité UNICEF, Bamako")
    ContactChannelFactory(organisation=blaam, kind=ContactChannel.Kind.PHONE, value="+22382789045")
    ContactChannelFactory(organisation=blaam, kind="email", value="+maliblaam@gmail.com")

    gao_house = OrganisationFactory(
        name="Maison du Migrant de Gao", slug="maison-migrant-gao", zones=[gao]
    )
    OfficeFactory(organisation=gao_house, address="\tDioulabougou, Gao", zone=gao)
    # Two persons of the same name (HSDS identifiers must still differ).
    for phone in ("+22387313308", "+22376342743"):
        ContactPersonFactory(
            organisation=gao_house,
            name="Amadou Maïga",
            phone=phone,
            is_publishable=True,
            consent_given_by="Amadou Maïga",
            consent_date=datetime.date(2026, 2, 1),
        )

    draft = OrganisationFactory(
        name="PRIVATE draft organisation",
        slug="brouillon",
        status=Organisation.Status.DRAFT,
        zones=[kayes],
    )
    return ExportWorld(mali, kayes, bafoulabe, gao, ame, blaam, gao_house, draft)
