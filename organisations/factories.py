import factory
from factory.django import DjangoModelFactory

from organisations import models


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = models.Source
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"source-{n}")
    document = "Synthèse nationale Mali 2022"
    section = factory.Sequence(lambda n: f"Tableau {n}")


class ZoneFactory(DjangoModelFactory):
    class Meta:
        model = models.Zone

    name = factory.Sequence(lambda n: f"Pays {n}")
    level = models.Zone.Level.COUNTRY
    parent = None


class RegionFactory(ZoneFactory):
    name = factory.Sequence(lambda n: f"Région {n}")
    level = models.Zone.Level.REGION
    parent = factory.SubFactory(ZoneFactory)


class CercleFactory(ZoneFactory):
    name = factory.Sequence(lambda n: f"Cercle {n}")
    level = models.Zone.Level.CERCLE
    parent = factory.SubFactory(RegionFactory)


class TypologyFactory(DjangoModelFactory):
    class Meta:
        model = models.Typology

    name = factory.Sequence(lambda n: f"Typologie {n}")
    slug = factory.Sequence(lambda n: f"typologie-{n}")


class ThemeGroupFactory(DjangoModelFactory):
    class Meta:
        model = models.ThemeGroup

    name = factory.Sequence(lambda n: f"Groupe {n}")
    slug = factory.Sequence(lambda n: f"groupe-{n}")


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = models.Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = models.Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = models.Partner.Kind.BILATERAL


class AcronymFactory(DjangoModelFactory):
    class Meta:
        model = models.Acronym

    acronym = factory.Sequence(lambda n: f"SIG{n}")
    expansion = factory.Sequence(lambda n: f"Sigle numéro {n}")


class SearchSynonymFactory(DjangoModelFactory):
    class Meta:
        model = models.SearchSynonym

    words = factory.Sequence(lambda n: f"mot{n}, synonyme{n}")


class ZoneIndicatorFactory(DjangoModelFactory):
    class Meta:
        model = models.ZoneIndicator

    zone = factory.SubFactory(RegionFactory)
    indicator = models.ZoneIndicator.Indicator.INTERNAL_MIGRANTS
    value = 1000
    source = factory.SubFactory(SourceFactory)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Association numéro {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")
    typology = factory.SubFactory(TypologyFactory)
    legal_form = models.Organisation.LegalForm.FORMAL
    registration_kind = models.Organisation.RegistrationKind.DECLARED
    scope = models.Organisation.Scope.NATIONAL
    status = models.Organisation.Status.PUBLISHED

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if create and extracted:
            for zone in extracted:
                models.OrganisationZone.objects.create(organisation=self, zone=zone)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            for theme in extracted:
                models.OrganisationTheme.objects.create(organisation=self, theme=theme)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            for partner in extracted:
                models.Partnership.objects.create(organisation=self, partner=partner)


class OrganisationAliasFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationAlias

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Autre nom {n}")


class OrganisationIdentifierFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationIdentifier

    organisation = factory.SubFactory(OrganisationFactory)
    scheme = "kobo-uuid"
    value = factory.Faker("uuid4")


class OrganisationZoneFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationZone

    organisation = factory.SubFactory(OrganisationFactory)
    zone = factory.SubFactory(RegionFactory)


class OrganisationThemeFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationTheme

    organisation = factory.SubFactory(OrganisationFactory)
    theme = factory.SubFactory(ThemeFactory)


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Partnership

    organisation = factory.SubFactory(OrganisationFactory)
    partner = factory.SubFactory(PartnerFactory)


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = models.Office

    organisation = factory.SubFactory(OrganisationFactory)
    kind = models.Office.Kind.SEAT
    address = "Niamakoro Cité UNICEF, Bamako"


class ContactChannelFactory(DjangoModelFactory):
    class Meta:
        model = models.ContactChannel

    organisation = factory.SubFactory(OrganisationFactory)
    kind = models.ContactChannel.Kind.PHONE
    value = factory.Sequence(lambda n: f"+2232024{n:04d}")


class ContactPersonFactory(DjangoModelFactory):
    class Meta:
        model = models.ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Personne {n}")
    role = "Coordinateur"
