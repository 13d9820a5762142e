"""Which needs a user sees: public needs, or all of them for those who see private data."""

from django.db.models import QuerySet

from needs.models import OrganisationNeed
from organisations.visibility import sees_private


def visible_needs(user=None) -> QuerySet[OrganisationNeed]:
    needs = OrganisationNeed.objects.all()
    return needs if sees_private(user) else needs.filter(is_public=True)
