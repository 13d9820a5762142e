"""How a search text is read: its terms and the prefixes matching each (search/terms.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.text import fold
from directory.search.terms import (
    MAX_TERMS,
    Synonyms,
    Term,
    parse,
    typo_alternatives,
    with_typos,
)

SYNONYMS = Synonyms(
    [
        ["retour", "retourné", "rapatrié", "expulsé", "refoulé"],
        ["femme", "fille"],
        ["enfant", "mineur"],
        ["déplacé", "PDI"],
    ]
)
VOCABULARY = sorted(
    ["association", "associations", "expulses", "expulsion", "femmes", "fermes", "jeunes"]
    + ["migrants", "mineurs", "retour", "refoules", "tile", "coura", "enfance", "ame"]
)


def alternatives(text: str, synonyms: Synonyms = SYNONYMS) -> list[tuple[str, ...]]:
    return [term.alternatives for term in parse(text, synonyms).terms]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("femmes", [("femme", "fille")]),  # the plural also finds the singular…
        ("femme", [("femme", "fille")]),  # …and the singular the plural (a prefix)
        ("réseaux", [("reseail", "reseal", "reseau")]),
        ("locaux", [("locail", "local", "locau")]),
        ("jeux", [("jeu",)]),
        ("bus", [("bus",)]),  # 3 letters: no plural read
        ("expulsées", [("expulse", "rapatrie", "refoule", "retour")]),  # feminine plural
    ],
)
def test_plurals_and_singulars_find_each_other(text, expected):
    assert alternatives(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("SÉGOU", ["segou"]),
        ("Tilé-Coura", ["tile", "coura"]),
        ("tile coura", ["tile", "coura"]),
        ("l'enfance", ["enfance"]),  # the elision is no term
        ("Droit de l’enfant", ["droit", "enfant"]),  # nor the stopword, typographic quote
        ("Women's rights", ["women", "rights"]),
        ("de", ["de"]),  # a stopword alone is kept
        ("  ", []),
    ],
)
def test_accents_case_apostrophes_and_hyphens_fold(text, words):
    assert [term.word for term in parse(text).terms] == words


@pytest.mark.parametrize("text", ["A.M.E.", "A.M.E", "a.m.e.", "A M E", "(A.M.E.),", "A. M. E."])
def test_an_acronym_written_apart_is_one_whole_word_term(text):
    query = parse(text, SYNONYMS)
    assert query.terms == (Term("ame", ("ame",), whole_word=True),)
    assert query.acronym_key == "AME"


def test_an_acronym_written_together_is_a_prefix_and_its_own_key():
    query = parse("AME")
    assert query.terms == (Term("ame", ("ame",)),)
    assert query.acronym_key == "AME"


def test_an_acronym_apart_among_words_stays_one_term():
    query = parse("A.M.E. Bamako")
    assert [(t.word, t.whole_word) for t in query.terms] == [("ame", True), ("bamako", False)]


def test_the_exact_name_and_acronym_key_come_from_the_whole_text():
    query = parse("Association Tilé-Coura")
    assert query.exact_name == "association tile coura"
    assert query.acronym_key == "ASSOCIATIONTILECOURA"
    assert parse("RAMDEL-Mali").acronym_key == "RAMDELMALI"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("retour", ("expulse", "rapatrie", "refoule", "retour")),
        ("rapatriés", ("expulse", "rapatrie", "refoule", "retour")),  # any member, any form
        ("Refoulées", ("expulse", "rapatrie", "refoule", "retour")),
        ("fille", ("femme", "fille")),  # both directions
        ("filles", ("femme", "fille")),
        ("mineures", ("enfant", "mineur")),  # the feminine of a member
        ("PDI", ("deplace", "pdi")),
        ("déplacés", ("deplace", "pdi")),
        ("retraite", ("retraite",)),  # not a member: no synonyms
        ("enfance", ("enfance",)),
    ],
)
def test_a_word_of_a_synonym_group_finds_every_member(text, expected):
    assert alternatives(text) == [expected]


def test_without_synonyms_a_word_finds_its_own_forms_only():
    assert alternatives("retours", Synonyms()) == [("retour",)]


def test_a_group_with_fewer_than_two_words_or_a_phrase_member_is_ignored():
    synonyms = Synonyms([["seul"], ["PDI", "personne déplacée"], ["Mineur", "mineur"]])
    assert synonyms.of("seul") == synonyms.of("pdi") == synonyms.of("mineur") == ()


def test_repeated_words_make_one_term():
    assert alternatives("femmes femme fille") == [("femme", "fille")]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("expluses", ["expulses"]),  # two letters swapped
        ("assocation", ["association"]),  # a letter missing
        ("associiation", ["association"]),  # a letter too many
        ("expulsoin", ["expulsion"]),
        ("expluse", ["expulse"]),  # the start of "expulses", one typo in it
        ("migrantz", ["migrant"]),  # a letter replaced at the end
        ("fenmes", ["femmes", "fermes"]),  # every word one typo away
    ],
)
def test_one_typo_in_a_word_of_five_letters_or_more_is_forgiven(word, expected):
    assert typo_alternatives(word, VOCABULARY) == expected


@pytest.mark.parametrize("word", ["amr", "tilr", "fema", "asso"])
def test_shorter_words_get_no_typo_alternatives(word):
    assert typo_alternatives(word, VOCABULARY) == []


def test_two_typos_are_not_forgiven():
    assert typo_alternatives("asocaition", VOCABULARY) == []


def test_typos_are_tried_only_for_terms_the_vocabulary_does_not_know():
    query = with_typos(parse("Expluses femmes fermes tilr", SYNONYMS), VOCABULARY)
    assert [t.alternatives for t in query.terms] == [
        ("expluse", "expulse"),  # the singular's typo covers the plural's
        ("femme", "fille"),  # known: never turns into "fermes"
        ("ferme",),
        ("tilr",),  # too short for a typo
    ]


def test_a_typo_finds_the_synonyms_of_the_word_meant():
    query = with_typos(parse("Expluses", SYNONYMS), VOCABULARY, SYNONYMS)
    meant = parse("expulsés", SYNONYMS).terms[0].alternatives
    assert query.terms[0].alternatives == ("expluse", *meant)  # and the word as typed


def test_an_acronym_term_gets_no_typos():
    query = with_typos(parse("A.M.X.E.", SYNONYMS), VOCABULARY)
    assert query.terms == (Term("amxe", ("amxe",), whole_word=True),)


def test_a_word_longer_than_any_word_gets_no_typos():
    assert typo_alternatives("associationassociationassociationx", ["association"]) == []


def test_a_query_keeps_its_first_terms_only():
    words = [f"mot{n}" for n in range(MAX_TERMS + 5)]
    assert [t.word for t in parse(" ".join(words)).terms] == words[:MAX_TERMS]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_into_folded_prefixes(text):
    query = with_typos(parse(text, SYNONYMS), VOCABULARY, SYNONYMS)
    for term in query.terms:
        assert term.alternatives
        assert all(a and fold(a) == a for a in term.alternatives)
