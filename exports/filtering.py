"""The list's parameters, applied to an export: the one list query (directory/listing.py)."""

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from directory.facet_index import Audience
from directory.filters import OrganisationFilterSet
from directory.listing import Listing


class FilterError(ValueError):
    """A malformed filter value: the export is refused rather than widened."""


@dataclass(frozen=True)
class Selection:
    """The organisations a list's parameters select, and those parameters."""

    filterset: OrganisationFilterSet
    ids: list[int]  # in the list's order


def filtered_organisations(request: HttpRequest, public_only: bool) -> Selection:
    """The list's selection among what the user may see (public data only if asked).

    A public-only export is filtered as an anonymous visitor would be, so that even a
    staff member's download cannot be narrowed by private data (private needs).
    """
    if public_only:
        return public_selection(request.GET)
    filterset = _validated(OrganisationFilterSet(request.GET, request=request))
    return Selection(filterset, Listing(filterset, Audience.of(request.user)).ids())


def public_selection(data: QueryDict) -> Selection:
    """The list's selection as an anonymous visitor's ``data`` (a query string) makes it:
    a background job rebuilds its list with it."""
    filterset = _validated(OrganisationFilterSet(data))
    return Selection(filterset, Listing(filterset, Audience.PUBLIC).ids())


def _validated(filterset: OrganisationFilterSet) -> OrganisationFilterSet:
    if not filterset.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
        )
        raise FilterError(_("Invalid filter: %(problems)s") % {"problems": problems})
    return filterset
