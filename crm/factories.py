import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from crm import models
from organisations.factories import OrganisationFactory


class StaffUserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"agent{n}")
    is_staff = True


class InteractionFactory(DjangoModelFactory):
    class Meta:
        model = models.Interaction

    organisation = factory.SubFactory(OrganisationFactory)
    kind = models.Interaction.Kind.MEETING
    staff = factory.SubFactory(StaffUserFactory)
    summary = factory.Sequence(lambda n: f"Réunion de suivi numéro {n}")


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Assignment

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(StaffUserFactory)


class DistinctPairFactory(DjangoModelFactory):
    class Meta:
        model = models.DistinctPair

    first = factory.SubFactory(OrganisationFactory)
    second = factory.SubFactory(OrganisationFactory)
