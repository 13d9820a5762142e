import factory
from factory.django import DjangoModelFactory

from corrections.models import Proposal, UpdateLink
from organisations.factories import OrganisationFactory


class ProposalFactory(DjangoModelFactory):
    """A visitor's correction of the acronym (pass ``proposed`` and ``original`` for others)."""

    class Meta:
        model = Proposal

    organisation = factory.SubFactory(OrganisationFactory)
    origin = Proposal.Origin.PUBLIC
    part = "acronym"
    proposed = factory.LazyAttribute(lambda p: {"acronym": f"{p.organisation.acronym}-2"})
    original = factory.LazyAttribute(lambda p: {"acronym": p.organisation.acronym})
    base_version = factory.LazyAttribute(lambda p: p.organisation.version)


class NewOrganisationProposalFactory(ProposalFactory):
    """An « Ajouter mon organisation » proposal: no record yet (pass ``proposed`` for more)."""

    organisation = None
    is_new_organisation = True
    part = ""
    proposed = factory.Dict({"name": "Nouvelle"})
    original = factory.Dict({})
    base_version = None


def update_link(organisation=None) -> UpdateLink:
    link, _token = UpdateLink.objects.issue(organisation or OrganisationFactory())
    return link
