"""The staff's synonym groups, as the search reads them (directory/search/terms.py).

Saving or deleting a group is a write to the organisations app, which bumps the public
pages' data version (pagecache/signals.py): whatever is built from the groups and keyed
on that version is rebuilt.
"""

from common.text import fold
from organisations.models import SearchSynonym
from organisations.validators import synonym_words

# The groups a new database starts with (migration 0007); staff keep them in the admin.
SEEDED_GROUPS = [
    "retour, retourné, rapatrié, expulsé, refoulé",
    "femme, fille",
    "enfant, mineur",
    "jeune, jeunesse",
    "déplacé, PDI",
]


def synonym_groups() -> list[tuple[str, ...]]:
    """Each group's words, folded ("Rapatrié" → "rapatrie"), in one query."""
    return [
        tuple(fold(word) for word in synonym_words(text))
        for text in SearchSynonym.objects.order_by("pk").values_list("words", flat=True)
    ]
