from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation, Source, Zone


class Network(models.Model):
    """A network, platform or consultation framework (Tableau 11)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        AFRICAN = "african", _("African")
        INTERNATIONAL = "international", _("International")

    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        PLATFORM = "platform", _("Platform")
        CONSULTATION_FRAMEWORK = "consultation_framework", _("Consultation framework")
        FEDERATION = "federation", _("Federation or umbrella body")

    class Formality(models.TextChoices):
        FORMAL = "formal", _("Formal")
        INFORMAL = "informal", _("Informal")
        UNKNOWN = "unknown", _("Unknown")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    level = models.CharField(_("level"), max_length=15, choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices, default=Kind.NETWORK)
    formality = models.CharField(
        _("formal or informal"),
        max_length=10,
        choices=Formality.choices,
        default=Formality.UNKNOWN,
    )
    website = models.URLField(_("web site"), blank=True)
    description = models.TextField(_("description"), blank=True)
    member_count = models.PositiveIntegerField(_("declared members"), null=True, blank=True)
    member_count_is_approximate = models.BooleanField(_("approximate count"), default=False)
    member_count_note = models.CharField(
        _("members as stated"),
        max_length=255,
        blank=True,
        help_text=_("The source's words, e.g. « un collège d'acteurs de 161 adhérents »."),
    )
    countries = models.ManyToManyField(
        Zone,
        verbose_name=_("countries covered"),
        blank=True,
        limit_choices_to={"level": Zone.Level.COUNTRY},
        related_name="networks",
    )
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_record",
        help_text=_("When the network is itself an organisation of the directory (FAM, RAMDEL)."),
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["national", "african", "international"]),
                name="network_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(formality__in=["formal", "informal", "unknown"]),
                name="network_formality_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["network", "platform", "consultation_framework", "federation"]
                ),
                name="network_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("directory:network_detail", args=[self.slug])


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=120, blank=True, help_text=_("Member, founder…"))
    since_year = models.PositiveSmallIntegerField(_("member since"), null=True, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["network__name"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "network"], name="membership_unique")
        ]

    def __str__(self):
        return str(self.network)
