"""Find the existing organisation a survey row describes (deduplication).

Certain matches, in this order: the survey's identifier (OrganisationIdentifier), the
acronym, another name (alias), the normalised name, an e-mail address. A match is
certain only when it designates one organisation. Below certainty, a fuzzy name
similarity (rapidfuzz) gives a suggestion that the user confirms or not; it is never
merged on its own.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from organisations.models import ContactChannel, Organisation, OrganisationAlias
from organisations.models import OrganisationIdentifier as Identifier
from surveys.catalogues import fold

# Leading words that do not tell two organisations apart: "Association X" is "X".
_NAME_PREFIXES = re.compile(
    r"^((association|associations|asso|ong|l|la|le|les|de|des|du|d)\s+)+", re.UNICODE
)
FUZZY_THRESHOLD = 88
_REASONS = {
    "acronym": gettext_lazy("same acronym"),
    "alias": gettext_lazy("another name of this organisation"),
    "name": gettext_lazy("same name"),
    "email": gettext_lazy("same e-mail"),
}


def acronym_key(acronym: str) -> str:
    """A.M.E. and AME are the same acronym."""
    return fold(acronym).replace(" ", "")


def normalise_name(name: str) -> str:
    folded = fold(name)
    stripped = _NAME_PREFIXES.sub("", folded)
    return stripped or folded


@dataclass
class Match:
    organisation_id: int | None = None
    reason: str = ""
    # Below certainty: (organisation id, label, score) for the user to confirm.
    suggestion: tuple[int, str, int] | None = None


class OrganisationIndex:
    """Every existing organisation, by each key that can identify it; five queries."""

    def __init__(self, identifier_scheme: str = ""):
        self.labels: dict[int, str] = {}
        self.by_identifier: dict[str, int] = {}
        self.by_acronym: dict[str, set[int]] = {}
        self.by_alias: dict[str, set[int]] = {}
        self.by_name: dict[str, set[int]] = {}
        self.by_email: dict[str, set[int]] = {}
        for org_id, name, acronym in Organisation.objects.values_list("id", "name", "acronym"):
            self.labels[org_id] = f"{name} ({acronym})" if acronym else name
            self.by_name.setdefault(normalise_name(name), set()).add(org_id)
            if acronym:
                self.by_acronym.setdefault(acronym_key(acronym), set()).add(org_id)
        for org_id, alias in OrganisationAlias.objects.values_list("organisation_id", "name"):
            self.by_alias.setdefault(normalise_name(alias), set()).add(org_id)
        if identifier_scheme:
            identifiers = Identifier.objects.filter(scheme=identifier_scheme)
            for org_id, value in identifiers.values_list("organisation_id", "value"):
                self.by_identifier[value.strip().lower()] = org_id
        emails = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL)
        for org_id, value in emails.values_list("organisation_id", "value"):
            self.by_email.setdefault(value.strip().lower(), set()).add(org_id)
        # Token-sorted names (token_sort_ratio once, not per comparison) and, per word,
        # the names that hold it: a row is compared with the names sharing its rarest
        # words, not with the whole directory.
        self._sorted = {key: " ".join(sorted(key.split())) for key in self.by_name}
        self._postings: dict[str, list[str]] = {}
        for key in self.by_name:
            for word in set(key.split()):
                self._postings.setdefault(word, []).append(key)

    def match(self, identifier: str, name: str, acronym: str, emails: list[str]) -> Match:
        if identifier and identifier.strip().lower() in self.by_identifier:
            return Match(self.by_identifier[identifier.strip().lower()], _("same identifier"))
        normalised = normalise_name(name)
        aliases = self.by_alias.get(normalised, set()) | self.by_alias.get(fold(acronym), set())
        # The reason is translated for the match found only (this runs for every row).
        checks = [
            (self.by_acronym.get(acronym_key(acronym), set()), "acronym"),
            (aliases, "alias"),
            (self.by_name.get(normalised, set()), "name"),
        ]
        for email in emails:
            checks.append((self.by_email.get(email.strip().lower(), set()), "email"))
        for found, reason in checks:
            if len(found) == 1:
                return Match(next(iter(found)), str(_REASONS[reason]))
        return Match(suggestion=self._fuzzy(normalised))

    def _fuzzy(self, normalised: str) -> tuple[int, str, int] | None:
        words = [w for w in set(normalised.split()) if w in self._postings]
        if not words:
            return None
        rarest = sorted(words, key=lambda w: len(self._postings[w]))[:2]
        keys = {key for word in rarest for key in self._postings[word]}
        candidates = {self._sorted[key]: key for key in keys}
        best = process.extractOne(
            " ".join(sorted(normalised.split())),
            list(candidates),
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_THRESHOLD,
        )
        if best is None:
            return None
        sorted_key, score, _index = best
        org_id = min(self.by_name[candidates[sorted_key]])
        return org_id, self.labels[org_id], round(score)
