"""Where facts come from: sources (a report's table, a survey import, a staff edit) and the
report's acronym glossary."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """Where a fact comes from: a table of a report, a survey import, a staff edit."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        SURVEY = "survey", _("Survey import")
        STAFF = "staff", _("Staff entry")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    document = models.CharField(
        _("document"), max_length=255, help_text=_("Synthèse nationale Mali 2022, for example.")
    )
    section = models.CharField(
        _("section"), max_length=120, blank=True, help_text=_("Tableau 13, for example.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.URLField(_("web address"), blank=True)

    class Meta:
        ordering = ["document", "section"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["report", "survey", "staff"]), name="source_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.document}, {self.section}" if self.section else self.document


class Acronym(models.Model):
    """An entry of the report's acronym glossary ("Définition des sigles")."""

    acronym = models.CharField(_("acronym"), max_length=40)
    expansion = models.CharField(_("stands for"), max_length=500)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("acronym")
        verbose_name_plural = _("acronyms")
        constraints = [
            models.UniqueConstraint(fields=["acronym", "expansion"], name="acronym_unique")
        ]

    def __str__(self):
        return f"{self.acronym}: {self.expansion}"
