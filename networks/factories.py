import factory
from factory.django import DjangoModelFactory

from networks import models
from organisations.factories import OrganisationFactory


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = models.Network
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")
    level = models.Network.Level.NATIONAL

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            for organisation in extracted:
                models.Membership.objects.create(organisation=organisation, network=self)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Membership

    organisation = factory.SubFactory(OrganisationFactory)
    network = factory.SubFactory(NetworkFactory)
