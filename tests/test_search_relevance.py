"""The relevance set: what people would type in the public list's search box, on the Mali
seed, with the organisations expected first and those that must not appear (issue 15).

Each case reads the whole result list, page after page, from ``GET /organisations/?q=…``
(and filters) as a visitor sees it, so it tests the whole engine: parsing, synonyms,
typos, every tier the text is matched in, and the ranking. ``first`` lists groups of
slugs in the order they must come; within a group the order is free (ties go by name,
and the databases' collations may differ). ``complete``: nothing else may appear.

``relevance_cases()`` yields the table and ``mismatch(case, slugs)`` says what is wrong
with a result list, so the set can be run against any engine without the pages; by hand,
on a seeded database: ``mismatch(case, results(Client(), case))``.

The expectations were read from the seed (fixtures/mali-2022, loaded in PostgreSQL) and
checked against a prototype of the engine: directory/search over the text, themes by
their French and English names, zones with those below them, partners and networks
(members) by name and acronym.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from organisations.models import SearchSynonym, Zone
from organisations.synonyms import SEEDED_GROUPS

pytestmark = pytest.mark.django_db

URL = reverse("directory:organisation_list")

# The theme "Accueil, assistance et réinsertion des migrants de retour".
RETURNEES = frozenset({"ame", "amarc", "artd", "blaam", "camarci", "enda-mali", "mahm", "ohpmi"})
# The theme "Accueil, protection et assistance des déplacés internes et Réfugiés".
DISPLACED = frozenset({"aracem", "ame", "gram", "ohpmi"})
# The theme "Droit et Protection de femmes".
WOMEN = frozenset({"aracem", "atc", "cafo"})
# Recorded in the region of Bamako.
BAMAKO = frozenset(
    {"aei-mali", "aracem", "ajdm", "ame", "amarc", "artd", "atc", "blaam", "camarci"}
    | {"fam", "fecam", "grdr", "gram", "hsf", "mahm", "ohpmi", "ramdel-mali", "sfa"}
)
# "retour", "rapatrié", "expulsé", "refoulé" in their names.
RETURN_IN_NAME = frozenset(
    {"association-migrants-retour-kayes", "aracem", "ame", "amarc", "artd", "camarci"}
)
# "Association(s)" in their names.
ASSOCIATION_IN_NAME = frozenset(
    {"baara-muso", "addad", "acds", "association-migrants-retour-kayes", "aracem", "afe"}
    | {"agdf", "ajdm", "ame", "amarc", "apam", "artd", "atc", "caderkaf", "cadersif"}
    | {"cafo", "camarci", "fam", "ramdel-mali"}
)


@dataclass(frozen=True)
class Case:
    """A search: ``query`` in the box, ``filters`` (parameter, value; a zone by name)."""

    query: str
    first: tuple[frozenset[str], ...]
    absent: frozenset[str] = frozenset()
    complete: bool = False
    filters: tuple[tuple[str, str], ...] = field(default=())

    def __str__(self) -> str:
        return self.query + "".join(f" {name}={value}" for name, value in self.filters)


def case(query: str, *first, absent=(), complete=False, filters=()) -> Case:
    groups = tuple(frozenset([g] if isinstance(g, str) else g) for g in first)
    return Case(query, groups, frozenset(absent), complete, tuple(filters))


def relevance_cases() -> Iterator[Case]:
    """The table: what people type, what must come first, what must not appear."""
    # Themes are searched by their words: "femmes" finds the women's-rights theme (the
    # SQL search found 1 of its 3), in any form, through a synonym, in English.
    yield case("femmes", WOMEN, absent={"ame", "apam"}, complete=True)
    yield case("femme", WOMEN, complete=True)
    yield case("Fille", WOMEN, complete=True)
    yield case("women", WOMEN, complete=True)
    # Text and filters together: what the theme alone gives in Bamako (the SQL gave 0).
    yield case(
        "femmes",
        {"aracem", "atc"},
        absent={"cafo"},
        complete=True,
        filters=[("zone", "Bamako"), ("theme", "droit-protection-femmes")],
    )
    yield case("Bamako femmes", {"aracem", "atc"}, absent={"cafo"}, complete=True)
    # "retour" and its synonyms find the 8 organisations of the returnees' theme (the SQL
    # found 4), those named so first.
    for word in ["retour", "rapatriés", "expulsés", "refoulés"]:
        yield case(
            word,
            RETURN_IN_NAME,
            RETURNEES - RETURN_IN_NAME,
            absent={"fecam", "cafo", "save-the-children", "hcme"},
        )
    yield case("migrants de retour", "association-migrants-retour-kayes", absent={"fecam", "cafo"})
    yield case("réinsertion", RETURNEES, "guidimakha-djikke", complete=True)
    yield case(
        "returning migrants", {"blaam", "mahm"}, RETURNEES - {"blaam", "mahm"}, complete=True
    )
    # Acronyms, with or without dots and spaces: the exact one first (the SQL gave 24
    # unrelated organisations for "A.M.E.").
    for written in ["A.M.E.", "A M E", "a.m.e"]:
        yield case(written, "ame", "grdr", absent={"fecam", "amarc", "aei-mali"}, complete=True)
    yield case("AME", "ame", absent={"amarc", "aei-mali", "afe"})
    yield case("Grdr", "grdr", "ame", complete=True)
    yield case("RAMDEL Mali", "ramdel-mali", complete=True)
    yield case("CAMRCI", "camarci", complete=True)  # an acronym among its other names
    # One typo in a word of five letters or more finds what the right spelling finds.
    yield case("Expluses", RETURN_IN_NAME, RETURNEES - RETURN_IN_NAME, absent={"fecam"})
    yield case("Assocation", ASSOCIATION_IN_NAME, absent={"aei-mali", "direy-ben"})
    yield case("Bamkao", BAMAKO, complete=True)
    yield case("Tombuctou", "idn", complete=True)
    # Places: a zone finds the organisations recorded in it or below it; a name first.
    yield case(
        "Kayes",
        {"association-migrants-retour-kayes", "caderkaf", "urcak"},
        {"aei-mali", "acds", "agdf", "ame", "cams", "guidimakha-djikke", "endam-diombougou"}
        | {"fam", "grdr", "hsf", "ohpmi", "omrib", "ramdel-mali"},
        absent={"idn", "touba-dagakane", "cafo", "mjdd"},
        complete=True,
    )
    yield case("Yélimané", "omrib", complete=True)  # a cercle of Kayes
    yield case("Nioro", {"association-migrants-retour-kayes", "grdr", "ohpmi"}, complete=True)
    yield case(
        "Koulikoro",
        {"aei-mali", "atc", "fam", "grdr", "hsf", "mjdd", "ramdel-mali", "touba-dagakane"},
        complete=True,
    )
    yield case("Bamako", BAMAKO, complete=True)
    yield case("Gao", "maison-du-migrant-gao", {"aracem", "direy-ben", "ohpmi"}, complete=True)
    yield case(
        "Sikasso",
        "cadersif",
        {"artd", "atc", "ohpmi", "ramdel-mali", "sfa"},
        absent={"caderkaf"},
        complete=True,
    )
    yield case(
        "France",
        {"agdf", "caderkaf", "cadersif", "sfa"},
        {"aei-mali", "acds", "endam-diombougou", "grdr"},
        absent={"hcme"},
    )
    yield case("Centrafrique", "amarc", complete=True)
    # Partners and networks, by name or acronym.
    yield case("Expertise France", "grdr", "ame", absent={"sfa", "agdf"}, complete=True)
    yield case("AFD", {"ame", "grdr"}, complete=True)
    yield case("Agence Française de Développement", "grdr", "ame", complete=True)
    yield case("Conseil Régional de Kayes", "grdr", complete=True)
    yield case("Conseil National de la Société Civile", "csdm", absent={"hcme"}, complete=True)
    yield case("CNSC", "csdm", complete=True)
    # Synonyms kept by staff, both ways.
    for word in ["enfants", "mineurs"]:
        yield case(word, "ejt", {"bnce", "enda-mali", "save-the-children"}, complete=True)
    for word in ["jeunes", "jeunesse"]:
        yield case(
            word,
            {"ajdm", "mjdd", "ejt"},
            {"baara-muso", "addad", "apam", "enda-mali"},
            complete=True,
        )
    for word in ["PDI", "déplacés"]:
        yield case(word, DISPLACED, "save-the-children", complete=True)
    yield case("displaced", DISPLACED, complete=True)
    yield case(
        "children's rights", "save-the-children", {"bnce", "enda-mali", "ejt"}, complete=True
    )
    # Names as people write them: apostrophes, hyphens, accents, other names.
    yield case("l'enfance", "bnce", complete=True)
    yield case("Tilé-Coura", "atc", complete=True)
    yield case("tile coura", "atc", complete=True)
    yield case("aide-ménagères", {"addad", "apam"}, "baara-muso", complete=True)
    yield case("Maison du Migrant", "maison-du-migrant-gao", "mahm", absent={"gram"})
    yield case("Save the Children", "save-the-children", complete=True)
    yield case("rapatriés Côte d'Ivoire", "camarci", complete=True)
    yield case("Association des Refoulés d'Afrique Centrale au Mali", "aracem", complete=True)
    yield case("migration illégale", "ohpmi", complete=True)
    yield case("Caritas", "maison-du-migrant-gao", complete=True)
    yield case("ONG féminines", "cafo", complete=True)
    yield case(
        "transit",
        {"aracem", "direy-ben", "enda-mali", "gram", "mahm", "maison-du-migrant-gao"},
        absent={"ame"},
    )
    yield case("diaspora", "csdm", "hcme", {"acds", "agdf", "endam-diombougou"}, complete=True)


CASES = list(relevance_cases())


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    """The Mali seed and the seeded synonym groups (a transactional test elsewhere may
    have flushed the migration's rows), loaded once for the module in a transaction
    rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_mali", stdout=StringIO())
        for words in SEEDED_GROUPS:
            SearchSynonym.objects.get_or_create(words=words)
        yield
        transaction.set_rollback(True)


def results(client: Client, case: Case) -> list[str]:
    """The slugs the list shows for ``case``, every page, in order."""
    params = [("q", case.query)]
    for name, value in case.filters:
        params.append((name, str(Zone.objects.get(name=value).pk) if name == "zone" else value))
    slugs, page = [], 1
    while True:
        response = client.get(URL, [*params, ("page", page)])
        assert response.status_code == 200, response.content[:500]
        shown = response.context["page"]
        slugs += [organisation.slug for organisation in shown.object_list]
        if not shown.has_next():
            return slugs
        page += 1


def test_the_set_has_at_least_thirty_queries():
    assert len({str(c) for c in CASES}) >= 30


def mismatch(case: Case, found: list[str]) -> str:
    """What is wrong with ``found`` (slugs in order) for ``case``; empty when nothing."""
    start = 0
    for group in case.first:
        if set(found[start : start + len(group)]) != group:
            return f"expected {sorted(group)} at {start}, found {found}"
        start += len(group)
    if unwanted := case.absent & set(found):
        return f"{sorted(unwanted)} should not appear in {found}"
    if case.complete and len(found) != start:
        return f"only {start} expected, found {found}"
    return ""


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_search_finds_the_expected_organisations_first(seed, client, case):
    assert mismatch(case, results(client, case)) == ""


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Expluses", "expulsés"), ("Assocation", "association"), ("Bamkao", "Bamako")],
)
def test_one_typo_finds_what_the_right_spelling_finds(seed, client, typed, meant):
    assert results(client, case(typed)) == results(client, case(meant))
