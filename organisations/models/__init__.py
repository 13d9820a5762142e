"""Organisations and the catalogues they are described with.

Places (Zone), families (Typology), themes, partners and sources live here because
every other app refers to them; networks and needs have apps of their own. One module per
purpose; Django and the other apps import the models from this package.
"""

from organisations.models.catalogues import (
    BilingualNameMixin,
    Partner,
    Theme,
    ThemeGroup,
    Typology,
)
from organisations.models.contacts import (
    ContactChannel,
    ContactChannelQuerySet,
    ContactPerson,
    ContactPersonQuerySet,
)
from organisations.models.offices import Office
from organisations.models.organisation import (
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationQuerySet,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
)
from organisations.models.sources import Acronym, Source
from organisations.models.synonyms import SearchSynonym
from organisations.models.zones import Zone, ZoneIndicator, ZoneQuerySet

__all__ = [
    "Acronym",
    "BilingualNameMixin",
    "ContactChannel",
    "ContactChannelQuerySet",
    "ContactPerson",
    "ContactPersonQuerySet",
    "Office",
    "Organisation",
    "OrganisationAlias",
    "OrganisationIdentifier",
    "OrganisationQuerySet",
    "OrganisationTheme",
    "OrganisationZone",
    "Partner",
    "Partnership",
    "SearchSynonym",
    "Source",
    "Theme",
    "ThemeGroup",
    "Typology",
    "Zone",
    "ZoneIndicator",
    "ZoneQuerySet",
]
