"""The public list's filters, applied to an export."""

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from directory.filters import OrganisationFilterSet
from organisations.visibility import visible_organisations


class FilterError(ValueError):
    """A malformed filter value: the export is refused rather than widened."""


def filtered_organisations(request: HttpRequest, public_only: bool) -> OrganisationFilterSet:
    """The list's FilterSet over what the user may see (public data only if asked).

    ``.qs`` is ordered as the list is (the FilterSet orders its own results).

    A public-only export is filtered as an anonymous visitor would be, so that even a
    staff member's download cannot be narrowed by private data (private needs).
    """
    if public_only:
        return public_filterset(request.GET)
    return _validated(
        OrganisationFilterSet(
            request.GET, queryset=visible_organisations(request.user), request=request
        )
    )


def public_filterset(data: QueryDict) -> OrganisationFilterSet:
    """The list's FilterSet over published organisations, as an anonymous visitor's
    ``data`` (a query string) filters them: a background job rebuilds its list with it."""
    return _validated(OrganisationFilterSet(data, queryset=visible_organisations(None)))


def _validated(filterset: OrganisationFilterSet) -> OrganisationFilterSet:
    if not filterset.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
        )
        raise FilterError(_("Invalid filter: %(problems)s") % {"problems": problems})
    return filterset
