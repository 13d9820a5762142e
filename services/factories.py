import datetime

import factory
from factory.django import DjangoModelFactory

from organisations.factories import OrganisationFactory
from services import models


class PopulationGroupFactory(DjangoModelFactory):
    class Meta:
        model = models.PopulationGroup
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Public {n}")
    slug = factory.Sequence(lambda n: f"public-{n}")


class LanguageFactory(DjangoModelFactory):
    class Meta:
        model = models.Language
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Langue {n}")
    code = factory.Sequence(lambda n: f"x{n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service numéro {n}")
    status = models.Service.Status.PUBLISHED

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if create and extracted:
            self.zones.set(extracted)

    @factory.post_generation
    def populations(self, create, extracted, **kwargs):
        if create and extracted:
            self.populations.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class ScheduleFactory(DjangoModelFactory):
    class Meta:
        model = models.Schedule

    service = factory.SubFactory(ServiceFactory)
    days = "MO,TU,WE,TH,FR"
    opens_at = datetime.time(8, 0)
    closes_at = datetime.time(16, 0)
