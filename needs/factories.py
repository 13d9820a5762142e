import factory
from factory.django import DjangoModelFactory

from needs import models
from organisations.factories import OrganisationFactory


class NeedCategoryFactory(DjangoModelFactory):
    class Meta:
        model = models.NeedCategory

    name = factory.Sequence(lambda n: f"Besoin {n}")
    slug = factory.Sequence(lambda n: f"besoin-{n}")
    position = factory.Sequence(lambda n: n)


class NeedActivityFactory(DjangoModelFactory):
    class Meta:
        model = models.NeedActivity

    category = factory.SubFactory(NeedCategoryFactory)
    name = factory.Sequence(lambda n: f"Activité {n}")
    position = factory.Sequence(lambda n: n)


class OrganisationNeedFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationNeed

    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.SubFactory(NeedCategoryFactory)
