"""Keeping the directory true: personal update links sent to organisations (and, built on
them, the proposals the public and the organisations make, reviewed by staff)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

# An update link opens its organisation's form for this long after it is issued.
UPDATE_LINK_LIFETIME = timedelta(days=30)


class LinkRefused(Exception):
    """An update link that cannot be used; ``reason`` says why (for the page shown)."""

    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ARCHIVED = "archived"

    def __init__(self, reason: str, link: "UpdateLink | None" = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UpdateLinkQuerySet(models.QuerySet):
    def issue(self, organisation: Organisation, created_by=None) -> tuple["UpdateLink", str]:
        """A new link for ``organisation``: the link and its token, which only the e-mail
        carries (the database keeps its SHA-256 digest, so a copy of the database opens
        no form)."""
        token = secrets.token_urlsafe(32)
        link = self.create(
            organisation=organisation,
            token_digest=_digest(token),
            created_by=created_by,
            expires_at=timezone.now() + UPDATE_LINK_LIFETIME,
        )
        return link, token

    def resolve(self, token: str) -> "UpdateLink":
        """The usable link of ``token``, or LinkRefused saying why not."""
        link = (
            self.select_related("organisation").filter(token_digest=_digest(token)).first()
            if token
            else None
        )
        if link is None:
            raise LinkRefused(LinkRefused.INVALID)
        if link.revoked_at is not None:
            raise LinkRefused(LinkRefused.REVOKED, link)
        if link.expires_at <= timezone.now():
            raise LinkRefused(LinkRefused.EXPIRED, link)
        if link.organisation.status == Organisation.Status.ARCHIVED:
            # Archived after the link was sent (closed, merged): nothing left to update.
            raise LinkRefused(LinkRefused.ARCHIVED, link)
        return link

    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class UpdateLink(models.Model):
    """A personal, signed link for one organisation to review and update its own record."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="update_links",
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = UpdateLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("update link")
        verbose_name_plural = _("update links")

    def __str__(self):
        return f"{self.organisation} ({self.created_at:%Y-%m-%d})"

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @staticmethod
    def path_for(token: str) -> str:
        """The link's path (without scheme and host), in the site's default language."""
        return reverse("corrections:self_update", args=[token])


class ProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Proposal.Status.PENDING)


class Proposal(models.Model):
    """A correction or update waiting for staff: it changes nothing public until an editor
    accepts its parts (corrections/review.py).

    ``proposed`` holds the proposed value of each part (corrections/parts.py says how each
    is written), ``original`` the record's value of the same parts when the proposal was
    made: a part whose value has changed since is a conflict the editor must confirm.
    """

    class Origin(models.TextChoices):
        PUBLIC = "public", _("a visitor")
        ORGANISATION = "organisation", _("the organisation (update link)")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        DECIDED = "decided", _("decided")

    # None for a new organisation until it is accepted (then the draft it created).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
    )
    is_new_organisation = models.BooleanField(_("new organisation"), default=False)
    origin = models.CharField(_("from"), max_length=12, choices=Origin.choices)
    update_link = models.ForeignKey(
        UpdateLink,
        verbose_name=_("update link"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    # The part a visitor pointed at (a key of corrections/parts.py, or "other").
    part = models.CharField(_("part"), max_length=40, blank=True)
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    original = models.JSONField(_("values when proposed"), default=dict, blank=True)
    base_version = models.PositiveIntegerField(_("record version when proposed"), null=True)
    message = models.TextField(_("message"), blank=True)
    # Private: shown to staff who may see private values, never on a public page.
    sender_name = models.CharField(_("sender's name"), max_length=120, blank=True)
    sender_email = models.EmailField(_("sender's e-mail (private)"), max_length=254, blank=True)
    # What a person listed as a contact agreed to, as the form showed it.
    consent_text = models.TextField(_("consent wording shown"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Per part: {"accepted": bool, "comment": str}.
    decisions = models.JSONField(_("decisions"), default=dict, blank=True)
    comment = models.TextField(_("staff comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["status", "-created_at"], name="proposal_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "decided"]),
                name="proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(is_new_organisation=True) | models.Q(organisation__isnull=False),
                name="proposal_names_its_organisation",
            ),
        ]

    def __str__(self):
        return _("Proposal #%(number)d") % {"number": self.pk}

    @property
    def subject(self) -> str:
        """What it is about: the organisation, or the proposed name of a new one."""
        if self.organisation_id and not self.is_new_organisation:
            return str(self.organisation)
        return str(self.proposed.get("name", ""))
