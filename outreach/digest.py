"""The editors' monthly digest: proposals waiting for review and records to verify."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from crm.reports import active_organisations
from crm.roles import EDITORS
from organisations.verification import verification_cutoff
from outreach.mail import absolute, compose

# The digest names this many of the records longest without a verification.
OLDEST_SHOWN = 10


@dataclass
class Digest:
    pending: int | None  # None: no review queue in this installation
    review_url: str
    to_verify: int
    oldest: list[dict]
    quality_url: str


def pending_proposals() -> tuple[int | None, str]:
    """Proposals waiting for staff, and the review queue's admin path (the corrections
    app's Proposal, when installed)."""
    try:
        proposal = apps.get_model("corrections", "Proposal")
    except LookupError:
        return None, ""
    try:
        queue = reverse("admin:corrections_proposal_changelist")
    except NoReverseMatch:
        path = ""
    else:  # the queue showing what is counted: the proposals waiting
        path = f"{queue}?{urlencode({'status__exact': proposal.Status.PENDING})}"
    return proposal.objects.pending().count(), path


def build_digest(site_url: str) -> Digest:
    """Four queries whatever the number of records."""
    pending, review_path = pending_proposals()
    due = active_organisations().not_verified_since(verification_cutoff())
    oldest = due.order_by(F("verified_at").asc(nulls_first=True), "name", "pk").values(
        "pk", "name", "verified_at"
    )[:OLDEST_SHOWN]
    return Digest(
        pending=pending,
        review_url=absolute(site_url, review_path) if review_path else "",
        to_verify=due.count(),
        oldest=[
            {
                "name": row["name"],
                "verified_at": row["verified_at"],
                "url": absolute(
                    site_url, reverse("admin:organisations_organisation_change", args=[row["pk"]])
                ),
            }
            for row in oldest
        ],
        quality_url=absolute(site_url, reverse("crm:data_quality") + "#not-verified"),
    )


def editors():
    """Active users with the Editor role and an e-mail address."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=EDITORS)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def send_digest(site_url: str, language: str) -> int:
    """E-mail the digest to every editor, each in a message of their own; how many."""
    digest = build_digest(site_url)
    recipients = list(editors().values_list("email", flat=True))
    connection = get_connection()
    messages = [
        compose("editor_digest", {"digest": digest}, [address], language, connection)
        for address in recipients
    ]
    return connection.send_messages(messages) or 0
