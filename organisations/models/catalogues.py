"""Catalogues organisations are described with: typologies, theme groups, themes and
partners."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from organisations.models.sources import Source
from organisations.models.zones import Zone


class BilingualNameMixin(models.Model):
    """Catalogue entries carry their French name and an optional English one."""

    name = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def __str__(self):
        return self.name


class Typology(BilingualNameMixin):
    """A family of organisations, with the report's description of it.

    Families can have sub-groups (``parent``): the synthesis folds national
    associations/NGOs and international NGOs into one family, while Tableau 2 lists
    them as two of six groups. Organisations point at the most precise group.
    """

    class BudgetBand(models.TextChoices):
        UNDER_5K = "under_5k", _("Under €5,000")
        FROM_5K_TO_100K = "5k_100k", _("€5,000 to €100,000")
        OVER_100K = "over_100k", _("Over €100,000")
        UNKNOWN = "unknown", _("Unknown")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)
    themes = models.TextField(_("themes of intervention"), blank=True)
    financial_capacity = models.TextField(_("financial capacity"), blank=True)
    financial_capacity_bands = models.CharField(
        _("typical budget bands"),
        max_length=60,
        blank=True,
        help_text=_("Budget band codes separated by commas, e.g. 5k_100k,over_100k."),
    )
    partners = models.TextField(_("partners"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    added_value = models.TextField(_("added value"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("typology")
        verbose_name_plural = _("typologies")

    @property
    def family(self) -> "Typology":
        return self.parent if self.parent_id else self


class ThemeGroup(BilingualNameMixin):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme group")
        verbose_name_plural = _("theme groups")


class Theme(BilingualNameMixin):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    group = models.ForeignKey(
        ThemeGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="themes",
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def get_absolute_url(self):
        return reverse("directory:theme_detail", args=[self.slug])


class Partner(models.Model):
    """A technical and financial partner (PTF): donor, agency, local government…"""

    class Kind(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral cooperation")
        EUROPEAN_UNION = "eu", _("European Union")
        UNITED_NATIONS = "un", _("United Nations agency")
        AFRICAN = "african", _("African institution")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        GOVERNMENT = "government", _("National government")
        FOUNDATION = "foundation", _("Foundation")
        NGO = "ngo", _("NGO")
        PRIVATE = "private", _("Private sector")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.ForeignKey(
        Zone,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Zone.Level.COUNTRY},
        related_name="+",
    )
    website = models.URLField(_("web site"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "bilateral",
                        "eu",
                        "un",
                        "african",
                        "local_government",
                        "government",
                        "foundation",
                        "ngo",
                        "private",
                        "other",
                    ]
                ),
                name="partner_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
