import factory

from organisations.factories import OrganisationFactory
from outreach.models import Campaign, Message


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campagne {n}")
    filters = factory.LazyFunction(lambda: {"status": "published", "not_verified": True})


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    address = factory.Sequence(lambda n: f"contact{n}@example.org")
    language = "fr"
