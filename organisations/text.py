"""Text normalisation shared by search, matching and deduplication."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of ``text``.

    "Tilé-Coura" and "tile coura" fold to the same string, on every database,
    because the folding happens in Python before anything is stored or compared.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", without_marks.casefold()).replace("_", " ").split())
