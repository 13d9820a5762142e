"""Text normalisation shared by search, matching and deduplication."""

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of ``text``.

    "Tilé-Coura" and "tile coura" fold to the same string, on every database,
    because the folding happens in Python before anything is stored or compared.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", without_marks.casefold()).replace("_", " ").split())


def collation_key(text: str) -> tuple[str, str]:
    """Sort key putting "École" between "Dakar" and "Fatick" and "Ségou" before "Sikasso",
    capitals or not, as a French reader expects (Python's own order puts accented letters
    after "z"); the text itself breaks ties, so the order is the same on every run."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return letters.casefold(), text or ""


def build_search_text(
    name: str, acronym: str, description: str, aliases: Iterable[str], zone_names: Iterable[str]
) -> str:
    """Organisation.search_text from its parts, without queries (imports build it in bulk)."""
    parts = [name, acronym, description, *aliases, *zone_names]
    return fold(" ".join(p for p in parts if p))
