"""An organisation's seats and offices."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models.organisation import Organisation
from organisations.models.sources import Source
from organisations.models.zones import Zone


class Office(models.Model):
    """A seat or office; an organisation can have several (a seat in France, an office
    in Bamako)."""

    class Kind(models.TextChoices):
        SEAT = "seat", _("Head office (seat)")
        OFFICE = "office", _("Office")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SEAT)
    address = models.TextField(_("address"))
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["seat", "office"]), name="office_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.address[:60]}"
