"""What the staff do with each organisation over time: interactions, follow-ups and
who follows which organisation."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.storage import AttachmentStorage
from organisations.models import Organisation


class InteractionQuerySet(models.QuerySet):
    def open_follow_ups(self):
        return self.filter(follow_up_done=False, follow_up_date__isnull=False)

    def overdue(self, today):
        return self.open_follow_ups().filter(follow_up_date__lt=today)

    def due_within(self, today, days: int):
        return self.open_follow_ups().filter(
            follow_up_date__gte=today, follow_up_date__lte=today + timedelta(days=days)
        )


class Interaction(models.Model):
    """One contact with an organisation: an interview, a meeting, a training…"""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        MEETING = "meeting", _("Meeting")
        TRAINING = "training", _("Training")
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Names and roles, one per line.")
    )
    summary = models.TextField(_("summary"))
    attachment = models.FileField(
        _("attachment"),
        upload_to="interactions/%Y/%m/",
        storage=AttachmentStorage(),
        blank=True,
        max_length=255,
        help_text=_("Private: only staff can open it."),
    )
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True, db_index=True)
    follow_up_note = models.CharField(_("what to follow up"), max_length=255, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()
    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["interview", "meeting", "training", "call", "visit", "other"]
                ),
                name="interaction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done=False) | Q(follow_up_date__isnull=False),
                name="interaction_done_needs_a_follow_up_date",
                violation_error_message=_("Give the follow-up a date before marking it done."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.date:%Y-%m-%d}"


class Assignment(models.Model):
    """A staff member in charge of following an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="assignment_unique")
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation}"


class DistinctPair(models.Model):
    """Two organisations that look alike but that staff checked are not the same."""

    first = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    second = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other organisation"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked"), auto_now_add=True)

    class Meta:
        verbose_name = _("pair checked as distinct")
        verbose_name_plural = _("pairs checked as distinct")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="distinct_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="distinct_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first} ≠ {self.second}"

    def clean(self):
        # One row per pair, whichever way round staff entered it.
        if self.first_id and self.second_id and self.first_id > self.second_id:
            self.first_id, self.second_id = self.second_id, self.first_id
