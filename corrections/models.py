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
