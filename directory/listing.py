"""The one list query: what a list's parameters select, for whom, in which order.

A ``Listing`` is a FilterSet's cleaned parameters (text, filters, sort) answered by the
in-memory index for an ``Audience``. The public list and its staff view, the API, every
download, referral, the statistics and the admin's search all go through it, so a filter's
meaning is written once (directory/facet_index.py) and who looks is a parameter.
"""

from collections.abc import Sequence
from functools import cached_property

from django.db.models import QuerySet
from pyroaring import BitMap

from directory.facet_index import Audience, FacetIndex, Ordering, facet_index
from directory.filters import OrganisationFilterSet


class Listing:
    """The organisations a valid FilterSet selects for ``audience``."""

    def __init__(self, filterset: OrganisationFilterSet, audience: Audience) -> None:
        self.index: FacetIndex = facet_index()
        self.audience = audience
        self.criteria = filterset.form.cleaned_data
        self.ordering = Ordering.of(self.criteria)

    @cached_property
    def _answer(self) -> tuple[BitMap, dict]:
        return self.index.search(self.criteria, self.audience)

    @cached_property
    def result(self) -> BitMap:
        """The positions selected (without counting the facets, unless they were asked)."""
        if "_answer" in self.__dict__:
            return self._answer[0]
        return self.index.matches(self.criteria, self.audience)

    @property
    def counts(self) -> dict:
        """Facet counts (facets.py's shape), the number selected under "total"."""
        return self._answer[1]

    def __len__(self) -> int:
        return len(self.result)

    def ids(self) -> list[int]:
        """Every organisation id selected, in the list's order (downloads)."""
        return self.index.ordered_ids(self.result, self.ordering)

    def results(self, organisations: QuerySet) -> "IndexedResults":
        """The selection for a Paginator, rows read from ``organisations`` (with the
        caller's prefetches) a page at a time."""
        return IndexedResults(self.index, self.result, self.ordering, organisations)


class IndexedResults(Sequence):
    """A list's results for a Paginator: its length, and the organisations of a slice
    read by id (one query, plus the caller's prefetches)."""

    def __init__(self, index: FacetIndex, result: BitMap, ordering: Ordering, organisations):
        self.index, self.result, self.ordering = index, result, ordering
        self.organisations = organisations

    def __len__(self) -> int:
        return len(self.result)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("IndexedResults reads slices only")
        start, stop, _step = item.indices(len(self))
        ids = self.index.page(self.result, self.ordering, start, stop)
        found = {o.pk: o for o in self.organisations.filter(pk__in=ids)}
        # An organisation removed since the index was built is left out.
        return [found[pk] for pk in ids if pk in found]
