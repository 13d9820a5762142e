"""What was sent to organisations: campaigns of update links and each message."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corrections.models import UpdateLink
from organisations.models import Organisation


class Campaign(models.Model):
    """Update links sent to a filtered list of organisations, with what selected them."""

    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language of the e-mails"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    # What selected the organisations (outreach.recipients.CampaignFilters.as_json).
    filters = models.JSONField(_("filters"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    selected = models.PositiveIntegerField(_("organisations selected"), default=0)
    without_address = models.PositiveIntegerField(_("without an e-mail address"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    links_revoked_at = models.DateTimeField(_("links revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    def summary(self) -> str:
        return gettext("E-mails sent: %(sent)d; failed: %(failed)d.") % {
            "sent": self.sent,
            "failed": self.failed,
        }

    def revoke_links(self) -> int:
        """Withdraw every link of the campaign still usable; how many were."""
        now = timezone.now()
        revoked = UpdateLink.objects.usable().filter(messages__campaign=self).update(revoked_at=now)
        Campaign.objects.filter(pk=self.pk).update(links_revoked_at=now)
        self.links_revoked_at = now
        return revoked


class Message(models.Model):
    """One e-mail carrying an organisation's update link: to whom, when, or why it failed."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="outreach_messages",
    )
    link = models.ForeignKey(
        UpdateLink,
        verbose_name=_("update link"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Private: one of the organisation's e-mail channels, public or not.
    address = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.organisation} → {self.address}"
