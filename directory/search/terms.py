"""What a search text asks for: its terms, each with the prefixes that may match it.

Pure Python, no database. The list engine calls:

- ``parse(text, synonyms) -> Query``: the terms of ``text``; a position matches when every
  term matches (text.py's ``find`` and ``rank``);
- ``with_typos(query, vocabulary, synonyms) -> Query``: the same query where a term none of
  whose alternatives starts a word of ``vocabulary`` (every word the search can find,
  sorted) also accepts the words one typo away from it (``typo_alternatives``) and their
  synonyms;
- ``Synonyms(groups)``: the staff's synonym groups (``organisations.synonyms.synonym_groups()``).

A term's ``alternatives`` are folded *prefixes*: a word matches the term when it starts with
one of them or, for a ``whole_word`` term, equals one. They are minimal: an alternative that
starts with another one is dropped, since it could match nothing more.

How a text is read (French first):

- folded as everywhere in the project (common.text.fold): case, accents, apostrophes and
  hyphens ("l'enfance" → "l enfance", "Tilé-Coura" → "tile coura");
- single letters (elisions l', d', the English 's) and stopwords (de, des, la, pour, the…)
  are no terms, unless the text has nothing else; the first MAX_TERMS terms are kept;
- letters written apart with dots or spaces ("A.M.E.", "A M E") are one acronym term that
  matches that whole word only ("ame", not "amelioration");
- plurals: on words of 4+ letters a final -s or -x is dropped, and -aux is also read -al
  and -ail ("réseaux" → "reseau", "locaux" → "local", "travaux" → "travail"); feminine
  participles are also read in the masculine ("expulsées" → "expulse"); the singular
  typed finds the plural since alternatives are prefixes;
- a word of a synonym group, in any of its forms (plural, feminine -e), adds every member
  of the group ("rapatriées" → retour, rapatrie, expulse, refoule…).
"""

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from common.text import fold

MIN_PLURAL_LENGTH = 4
MIN_TYPO_LENGTH = 5
# Longer is no word ("anticonstitutionnellement" has 25 letters): no typos sought.
MAX_TYPO_LENGTH = 30
# The terms a query keeps, in the order typed: a search box is not a document.
MAX_TERMS = 16
# Words that say nothing of an organisation: French articles, prepositions and
# conjunctions, and a few English ones (the themes have English names).
STOPWORDS = frozenset(
    {"le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "au", "aux", "en"}
    | {"dans", "par", "pour", "sur", "avec", "the", "of", "and", "for", "in", "to"}
)
# What one typo may put in a word: folded text is lower-case and accent-free.
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789œæ"
# "A", "A.", "A.M.E.", "a.m.e": a letter, or letters joined by dots.
_ACRONYM_PIECE = re.compile(r"(?:\w\.)*\w\.?")
# What may surround a word as typed: "(A.M.E.)," is the piece "A.M.E.".
_EDGES = re.compile(r"^[^\w.]+|[^\w.]+$")


@dataclass(frozen=True)
class Term:
    """One word of the query: ``word`` as typed (folded) and the prefixes that match it."""

    word: str
    alternatives: tuple[str, ...]
    whole_word: bool = False


@dataclass(frozen=True)
class Query:
    """The terms, all required, and what the exact acronym or name would be:
    ``acronym_key`` as ``acronym_key()`` compacts an organisation's acronym ("AME" for
    "A.M.E."), ``exact_name`` the folded text ("association tile coura")."""

    terms: tuple[Term, ...]
    acronym_key: str
    exact_name: str


def acronym_key(text: str) -> str:
    """An acronym without its dots, spaces, hyphens and case: "A.M.E." and "a m e" → "AME",
    "RAMDEL-Mali" → "RAMDELMALI". The same rule for the query and the organisations."""
    return compact(fold(text))


def compact(folded: str) -> str:
    """``acronym_key`` of a text already folded."""
    return "".join(folded.split()).upper()


def base_forms(word: str) -> list[str]:
    """What ``word`` (folded) would be in the singular if it is a French plural, and in the
    masculine if it is a feminine participle ("expulsees" → "expulsee", "expulse")."""
    found = []
    if len(word) >= MIN_PLURAL_LENGTH and word[-1] in "sx":
        found.append(word[:-1])
        if word.endswith("aux"):
            found += [word[:-3] + "al", word[:-3] + "ail"]
    found += [form[:-1] for form in [word, *found] if form.endswith("ee")]
    return found


def minimal(prefixes: Iterable[str]) -> tuple[str, ...]:
    """The prefixes none of the others starts, sorted: they match the same words."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return tuple(kept)


def _forms(word: str) -> set[str]:
    """The forms that identify a word in a synonym group: itself, its base forms and
    their masculine (a final -e dropped on 5+ letters): "mineures" → "mineur"."""
    forms = {word, *base_forms(word)}
    return forms | {f[:-1] for f in forms if f.endswith("e") and len(f) >= 5}


class Synonyms:
    """Groups of words that find each other. A member written as several words is left
    out (a query is matched word by word)."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self._groups: list[tuple[str, ...]] = []
        self._by_form: dict[str, set[int]] = {}
        for group in groups:
            members = tuple(dict.fromkeys(w for w in map(fold, group) if w and " " not in w))
            if len(members) < 2:
                continue
            for member in members:
                for form in _forms(member):
                    self._by_form.setdefault(form, set()).add(len(self._groups))
            self._groups.append(members)

    def of(self, word: str) -> tuple[str, ...]:
        """The members of the groups ``word`` (folded) belongs to, itself included."""
        groups = {g for form in _forms(word) for g in self._by_form.get(form, ())}
        return tuple(member for g in sorted(groups) for member in self._groups[g])


NO_SYNONYMS = Synonyms()


def _words(text: str) -> list[tuple[str, bool]]:
    """The folded words of ``text`` in order, each with whether it is an acronym written
    with its letters apart ("A.M.E.", "A M E" → ("ame", True))."""
    words: list[tuple[str, bool]] = []
    letters: list[str] = []

    def end_of_letters() -> None:
        if len(letters) > 1:
            words.append(("".join(letters), True))
        elif letters:
            words.append((letters[0], False))
        letters.clear()

    for token in text.split():
        piece = _EDGES.sub("", token)
        if _ACRONYM_PIECE.fullmatch(piece):
            letters.extend(fold(piece).split())
        else:
            end_of_letters()
            words.extend((word, False) for word in fold(token).split())
    end_of_letters()
    return words


def _term(word: str, is_acronym: bool, synonyms: Synonyms) -> Term:
    if is_acronym:
        return Term(word, (word,), whole_word=True)
    prefixes = {word, *base_forms(word)}
    for member in synonyms.of(word):
        prefixes |= {member, *base_forms(member)}
    return Term(word, minimal(prefixes))


def parse(text: str, synonyms: Synonyms = NO_SYNONYMS) -> Query:
    """The query ``text`` asks for (see the module's docstring)."""
    words = _words(text)
    meaningful = [(w, acronym) for w, acronym in words if acronym or _says_something(w)]
    terms: dict[tuple, Term] = {}
    for word, is_acronym in meaningful or words:
        term = _term(word, is_acronym, synonyms)
        terms.setdefault((term.alternatives, term.whole_word), term)
    return Query(tuple(terms.values())[:MAX_TERMS], acronym_key(text), fold(text))


def _says_something(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS


def starts_some_word(vocabulary: Sequence[str], prefix: str) -> bool:
    """Whether a word of ``vocabulary`` (sorted) starts with ``prefix``."""
    i = bisect_left(vocabulary, prefix)
    return i < len(vocabulary) and vocabulary[i].startswith(prefix)


def _edits(word: str) -> set[str]:
    """Every string one Damerau–Levenshtein edit from ``word``: a letter deleted,
    two neighbours swapped, a letter replaced or inserted."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    found |= {a + c + b for a, b in splits for c in ALPHABET}
    found.discard(word)
    return found


def typo_alternatives(word: str, vocabulary: Sequence[str]) -> list[str]:
    """Prefixes of ``vocabulary`` words (sorted) one typo away from ``word`` (folded), for a
    word of 5+ letters: "expluses" → ["expulses"], "assocation" → ["association"].

    A typed word may be the start of a longer word, so it is compared with the vocabulary
    words' prefixes of its own length, one less and one more (one edit changes the length
    by one at most): "expluse" → ["expulse"], which starts "expulses". They come minimal
    and sorted. Shorter words get none: one letter of four is too much to guess; nor do
    words longer than any word (MAX_TYPO_LENGTH), whose edits would be many.
    """
    if not MIN_TYPO_LENGTH <= len(word) <= MAX_TYPO_LENGTH:
        return []
    return list(minimal(e for e in _edits(word) if starts_some_word(vocabulary, e)))


def _with_typos(term: Term, vocabulary: Sequence[str], synonyms: Synonyms) -> Term:
    if term.whole_word or any(starts_some_word(vocabulary, a) for a in term.alternatives):
        return term
    typed_forms = [term.word, *base_forms(term.word)]
    typos = [t for form in typed_forms for t in typo_alternatives(form, vocabulary)]
    # Each word meant reads as if typed right: its plural, its synonyms.
    meant = [a for typo in typos for a in _term(typo, False, synonyms).alternatives]
    return replace(term, alternatives=minimal([*term.alternatives, *meant])) if typos else term


def with_typos(query: Query, vocabulary: Sequence[str], synonyms: Synonyms = NO_SYNONYMS) -> Query:
    """``query`` where each term none of whose alternatives starts a word of ``vocabulary``
    (sorted) also accepts the words one typo away (``typo_alternatives``), with their
    forms and synonyms as ``parse`` reads a word: "Expluses" finds what "expulsés" finds.
    "femmes" is found as typed and never turns into "fermes"."""
    terms = tuple(_with_typos(t, vocabulary, synonyms) for t in query.terms)
    return replace(query, terms=terms)
