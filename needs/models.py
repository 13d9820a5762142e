from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import BilingualNameMixin, Organisation, Partner, Source


class NeedCategory(BilingualNameMixin):
    """A category of capacity-building needs (Tableau 12)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")


class NeedActivity(BilingualNameMixin):
    category = models.ForeignKey(
        NeedCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    name = models.TextField(_("activity (French)"))
    name_en = models.TextField(_("activity (English)"), blank=True)
    subgroup = models.CharField(
        _("sub-group"), max_length=120, blank=True, help_text=_("Appuis institutionnel…")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["category__position", "position"]
        verbose_name = _("need activity")
        verbose_name_plural = _("need activities")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "position"], name="need_activity_unique_position"
            )
        ]

    def __str__(self):
        return self.name if len(self.name) <= 80 else self.name[:77] + "…"


class OrganisationNeed(models.Model):
    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="needs")
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("need"), on_delete=models.PROTECT, related_name="needs"
    )
    activity = models.ForeignKey(
        NeedActivity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.IDENTIFIED,
        db_index=True,
    )
    is_public = models.BooleanField(_("public"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    support_given = models.CharField(
        _("support given"), max_length=255, blank=True, help_text=_("Training, equipment, funding…")
    )
    support_partner = models.ForeignKey(
        Partner,
        verbose_name=_("supported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supported_needs",
    )
    support_date = models.DateField(_("support date"), null=True, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__position", "pk"]
        verbose_name = _("capacity need")
        verbose_name_plural = _("capacity needs")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category"],
                condition=Q(activity__isnull=True),
                name="org_need_unique_category",
            ),
            models.UniqueConstraint(
                fields=["organisation", "activity"],
                condition=Q(activity__isnull=False),
                name="org_need_unique_activity",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["high", "medium", "low"]), name="org_need_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["identified", "in_progress", "met"]),
                name="org_need_status_valid",
            ),
        ]

    def __str__(self):
        return str(self.activity or self.category)

    def clean(self):
        if self.activity_id and self.category_id and self.activity.category_id != self.category_id:
            raise ValidationError({"activity": _("This activity belongs to another need.")})
