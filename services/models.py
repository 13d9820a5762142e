"""What an organisation offers, to whom, where and when (Open Referral's services).

A service belongs to one organisation and is shown to the public only when both are
published (``ServiceQuerySet.published``). It serves zones; a service for a region or
the whole country serves every place below it (``ServiceQuerySet.serving``).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import (
    BilingualNameMixin,
    ContactChannel,
    Office,
    Organisation,
    Source,
    Theme,
    Zone,
)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# RFC 5545 BYDAY as HSDS writes it: "MO,TU,WE".
DAYS_PATTERN = re.compile(rf"^({'|'.join(WEEKDAYS)})(,({'|'.join(WEEKDAYS)}))*$")


class PopulationGroup(BilingualNameMixin):
    """The people a service is meant for: returnees, internally displaced people…"""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("population served")
        verbose_name_plural = _("populations served")


class Language(BilingualNameMixin):
    code = models.CharField(
        _("ISO 639 code"), max_length=8, unique=True, help_text=_("fr, bm, snk, ff…")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")


def zone_and_ancestor_ids(zone: Zone) -> list[int]:
    """The zone and every zone above it, read from its materialised path."""
    return [int(part) for part in zone.path.strip("/").split("/") if part]


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            status=Service.Status.PUBLISHED, organisation__status=Organisation.Status.PUBLISHED
        )

    def serving(self, *zones: Zone):
        """Services for any of ``zones``: for it or a place above it (a region's service
        serves its cercles), or for a place inside it."""
        # The few ids are read first so that the link table is searched by its index alone.
        zone_ids: set[int] = set()
        for zone in zones:
            zone_ids |= {*zone_and_ancestor_ids(zone)}
            zone_ids |= set(Zone.objects.within(zone).values_list("pk", flat=True))
        links = Service.zones.through.objects.filter(service=OuterRef("pk"), zone_id__in=zone_ids)
        return self.filter(Exists(links))

    def _linked(self, relation: str, lookup: str, values):
        through = getattr(Service, relation).through
        links = through.objects.filter(service=OuterRef("pk"), **{f"{lookup}__in": values})
        return self.filter(Exists(links))

    def for_people(self, *slugs: str):
        """Services for any of these people served (PopulationGroup slugs)."""
        return self._linked("populations", "populationgroup__slug", slugs)

    def on_theme(self, *slugs: str):
        return self._linked("themes", "theme__slug", slugs)

    def in_language(self, *codes: str):
        return self._linked("languages", "language__code", codes)


class Service(models.Model):
    class Cost(models.TextChoices):
        NOT_STATED = "", _("Not stated")
        FREE = "free", _("Free")
        FEE = "fee", _("A fee")
        VARIES = "varies", _("Varies")

    Status = Organisation.Status

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="services",
    )
    name = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="services"
    )
    populations = models.ManyToManyField(
        PopulationGroup, verbose_name=_("people served"), blank=True, related_name="services"
    )
    eligibility = models.TextField(
        _("eligibility"), blank=True, help_text=_("Who can use it, in words.")
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="services"
    )
    cost = models.CharField(
        _("cost"), max_length=10, choices=Cost.choices, default=Cost.NOT_STATED, blank=True
    )
    cost_detail = models.CharField(_("cost as stated"), max_length=255, blank=True)
    walk_in = models.BooleanField(_("walk in"), default=False)
    by_appointment = models.BooleanField(_("by appointment"), default=False)
    by_referral = models.BooleanField(_("on referral"), default=False)
    by_phone = models.BooleanField(_("by telephone or WhatsApp line"), default=False)
    channels = models.ManyToManyField(
        ContactChannel,
        verbose_name=_("contact channels"),
        blank=True,
        related_name="services",
        help_text=_("The organisation's phones, e-mails or lines for this service."),
    )
    offices = models.ManyToManyField(
        Office,
        verbose_name=_("offices where it is delivered"),
        blank=True,
        related_name="services",
    )
    zones = models.ManyToManyField(
        Zone,
        verbose_name=_("zones served"),
        blank=True,
        related_name="services",
        help_text=_("A region or the whole country serves every place below it."),
    )
    status = models.CharField(
        _("publication status"),
        max_length=10,
        choices=Organisation.Status.choices,
        default=Organisation.Status.DRAFT,
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    staff_notes = models.TextField(_("staff notes (private)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    history = HistoricalRecords(
        m2m_fields=[themes, populations, languages, channels, offices, zones]
    )
    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["status", "name"], name="service_status_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="service_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(cost__in=["", "free", "fee", "varies"]), name="service_cost_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_description(self) -> str:
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description

    def access_modes(self) -> list[str]:
        """How to get the service, in the visitor's language."""
        modes = [
            (self.walk_in, _("walk in")),
            (self.by_appointment, _("by appointment")),
            (self.by_referral, _("on referral")),
            (self.by_phone, _("by telephone or WhatsApp line")),
        ]
        return [str(label) for offered, label in modes if offered]


def validate_days(value: str) -> None:
    if not DAYS_PATTERN.match(value):
        raise ValidationError(
            _("Write the days as MO,TU,WE,TH,FR,SA,SU separated by commas, e.g. MO,TU,WE.")
        )


class Schedule(models.Model):
    """When a service is open, at one of its offices or wherever it is delivered."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="schedules"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_schedules",
        help_text=_("Empty: at every place the service is delivered."),
    )
    days = models.CharField(
        _("days"), max_length=20, validators=[validate_days], help_text=_("MO,TU,WE,TH,FR")
    )
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["office_id", "pk"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="schedule_opens_before_close"
            )
        ]

    def __str__(self):
        return f"{self.days} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("The closing time must come after opening.")})
        if (
            self.office_id
            and self.service_id
            and self.office.organisation_id != self.service.organisation_id
        ):
            raise ValidationError({"office": _("This office belongs to another organisation.")})

    def day_names(self) -> list[str]:
        names = dict(zip(WEEKDAYS, DAY_NAMES, strict=True))
        return [str(names[day]) for day in self.days.split(",")]


DAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
