"""Which needs a user sees: public needs, or all of them for those who see private data."""

from django.db.models import QuerySet

from needs.models import OrganisationNeed
from organisations.visibility import sees_private


def visible_needs(user=None) -> QuerySet[OrganisationNeed]:
    return needs_seen(private=sees_private(user))


def needs_seen(private: bool) -> QuerySet[OrganisationNeed]:
    """Every need for those who see private data, else the public ones."""
    needs = OrganisationNeed.objects.all()
    return needs if private else needs.filter(is_public=True)
