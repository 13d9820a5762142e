"""When an organisation's public information was last confirmed true, and by whom.

Staff confirm it in the admin, the organisation through its update link ("our information
is still correct", or a proposal accepted), an import when a survey answer is applied.
"""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

# A record not verified for this long is listed as "to verify" (data quality, digest, list).
VERIFICATION_PERIOD = timedelta(days=365)


def record_verification(
    organisation: Organisation, by: str, reason: str = "", when: datetime | None = None
) -> None:
    """Mark ``organisation`` verified now (or ``when``) by ``by`` (Organisation.VerifiedBy),
    through a normal save: its history says who, when and why (``reason``)."""
    organisation.verified_at = when or timezone.now()
    organisation.verified_by = Organisation.VerifiedBy(by)
    if reason:
        organisation._change_reason = reason
    organisation.save()


def verification_cutoff(now: datetime | None = None) -> datetime:
    """Records verified before this moment are due for verification."""
    return (now or timezone.now()) - VERIFICATION_PERIOD


# Every organisation is in exactly one of these states (the public list's filter and facet,
# the admin's list filter).
VERIFIED_RECENTLY = "recent"
VERIFICATION_DUE = "due"
VERIFICATION_CHOICES = [
    (VERIFIED_RECENTLY, _("Verified in the last 12 months")),
    (VERIFICATION_DUE, _("Not verified for 12 months")),
]


def in_verification_states(organisations: QuerySet, states, cutoff=None) -> QuerySet:
    """The ``organisations`` in any of ``states`` (all of them when none is given, or
    values that are no state)."""
    recent, due = VERIFIED_RECENTLY in states, VERIFICATION_DUE in states
    if recent == due:  # both, or neither: nothing narrows
        return organisations
    cutoff = cutoff or verification_cutoff()
    if recent:
        return organisations.filter(verified_at__gte=cutoff)
    return organisations.not_verified_since(cutoff)
