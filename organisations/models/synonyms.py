"""Words the directory's search treats as one, kept by staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.validators import validate_synonym_group


class SearchSynonym(models.Model):
    """One group of synonyms: searching for any of its words finds the others."""

    words = models.CharField(
        _("words"),
        max_length=500,
        validators=[validate_synonym_group],
        help_text=_(
            "Words separated by commas, such as « retour, rapatrié, expulsé »: a search for "
            "one of them also finds the others, in the singular or the plural, with or "
            "without accents."
        ),
    )

    class Meta:
        ordering = ["words"]
        verbose_name = _("search synonyms")
        verbose_name_plural = _("search synonyms")

    def __str__(self):
        return self.words
