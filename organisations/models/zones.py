"""Places: one tree of zones (country > region > cercle > commune > locality) and the
migration figures of each."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.text import fold
from organisations.models.sources import Source


class ZoneQuerySet(models.QuerySet):
    def countries(self):
        return self.filter(level=Zone.Level.COUNTRY)

    def within(self, zone: "Zone"):
        """The zone itself and every zone below it."""
        return self.filter(path__startswith=zone.path)


class Zone(models.Model):
    """One tree of places: country > region > cercle > commune > locality.

    ``path`` is a materialised path of primary keys ("12/40/311/") so that "in this
    zone or below" is one indexed prefix query on every database.
    """

    class Level(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        CERCLE = "cercle", _("Cercle (district)")
        COMMUNE = "commune", _("Commune")
        LOCALITY = "locality", _("Village or locality")
        TERRITORY = "territory", _("Territory (not an administrative unit)")

    # Depth of each level; a zone must sit deeper than its parent.
    LEVEL_DEPTH = {
        Level.COUNTRY: 0,
        Level.REGION: 1,
        Level.CERCLE: 2,
        Level.COMMUNE: 3,
        Level.LOCALITY: 4,
        # A group of communes ("the communes of the Guidimakha, cercle of Kayes"): it may
        # sit under a country, a region or a cercle, and is never listed among regions.
        Level.TERRITORY: 3,
    }

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    iso_code = models.CharField(
        _("ISO 3166 code"),
        max_length=10,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 for countries (ML), ISO 3166-2 for regions (ML-1)."),
    )
    iso_numeric = models.CharField(_("ISO 3166-1 numeric code"), max_length=3, blank=True)
    official_code = models.CharField(_("official code (P-code)"), max_length=30, blank=True)
    aliases = models.CharField(
        _("other spellings"),
        max_length=500,
        blank=True,
        help_text=_("Separated by semicolons: Bafoulabe; Bafoulabé."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    name_folded = models.CharField(max_length=150, editable=False, db_index=True, default="")

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "level", "name"], name="zone_unique_name_level_in_parent"
            ),
            models.UniqueConstraint(
                fields=["level", "name"],
                condition=Q(parent__isnull=True),
                name="zone_unique_root_name_level",
            ),
            models.UniqueConstraint(
                fields=["iso_code"], condition=~Q(iso_code=""), name="zone_unique_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(
                    level__in=["country", "region", "cercle", "commune", "locality", "territory"]
                ),
                name="zone_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(level="country") | Q(parent__isnull=False),
                name="zone_only_countries_are_roots",
            ),
        ]

    def __str__(self):
        if self.parent_id and self.level != self.Level.COUNTRY:
            return f"{self.name} ({self.get_level_display().lower()}, {self.parent.name})"
        return self.name

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def get_absolute_url(self):
        return reverse("directory:zone_detail", args=[self.pk])

    def clean(self):
        if self.parent_id is None or self.level not in self.LEVEL_DEPTH:
            return  # an unknown level is clean_fields' error
        if self.pk and self.parent.path.startswith(self.path) and self.path:
            raise ValidationError({"parent": _("A zone cannot be placed inside itself.")})
        if self.LEVEL_DEPTH[self.level] <= self.LEVEL_DEPTH[self.parent.level]:
            raise ValidationError(
                {
                    "level": _("A %(level)s cannot be part of a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": self.parent.get_level_display()}
                }
            )

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
        self._refresh_path()

    def _refresh_path(self):
        parent_path = self.parent.path if self.parent_id else ""
        new_path = f"{parent_path}{self.pk}/"
        old_path = self.path
        if new_path == old_path:
            return
        if old_path:
            # Moving a zone moves its whole subtree; organisations keep their zones.
            Zone.objects.filter(path__startswith=old_path).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
            )
        else:
            Zone.objects.filter(pk=self.pk).update(path=new_path)
        self.path = new_path

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Zone.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class ZoneIndicator(models.Model):
    """A migration figure for a place (Tableaux 1 and 8 of the Mali synthesis)."""

    class Indicator(models.TextChoices):
        INTERNAL_MIGRANTS = "internal_migrants", _("Recent internal migrants (number)")
        INTERNAL_MIGRANTS_SHARE = (
            "internal_migrants_share",
            _("Share of the country's recent internal migrants (%)"),
        )
        INTERNAL_MIGRANTS_MALE = "internal_migrants_male", _("Recent internal migrants: men (%)")
        INTERNAL_MIGRANTS_FEMALE = (
            "internal_migrants_female",
            _("Recent internal migrants: women (%)"),
        )
        EMIGRANTS_FRANCE = "emigrants_france", _("Share of emigrants living in France (%)")
        EMIGRANTS_ELSEWHERE = (
            "emigrants_elsewhere",
            _("Share of emigrants living in the rest of the world (%)"),
        )
        ASSOCIATIONS_FRANCE = (
            "associations_france",
            _("Share of diaspora associations based in France (%)"),
        )
        ASSOCIATIONS_ELSEWHERE = (
            "associations_elsewhere",
            _("Share of diaspora associations based in the rest of the world (%)"),
        )

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    reference_year = models.PositiveSmallIntegerField(_("reference year"), null=True, blank=True)
    data_source = models.CharField(
        _("original data source"), max_length=255, blank=True, help_text=_("RGPH 2009, INSTAT.")
    )
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["zone__path", "indicator"]
        verbose_name = _("zone indicator")
        verbose_name_plural = _("zone indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "indicator", "source"], name="zone_indicator_unique_per_source"
            )
        ]

    def __str__(self):
        return f"{self.zone.name}: {self.get_indicator_display()} = {self.value}"
