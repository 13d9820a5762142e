"""Text postings and the order of search results, on small synthetic data
(directory/search/text.py). Positions are the organisations' places in name order."""

from pyroaring import BitMap

from directory.search.terms import Synonyms, parse, with_typos
from directory.search.text import (
    TEXT_TIERS,
    CatalogueWords,
    TextPostings,
    TextPostingsBuilder,
    Tier,
    find,
    rank,
)

SYNONYMS = Synonyms([["retour", "rapatrié", "expulsé"], ["femme", "fille"]])


def postings(*organisations: tuple) -> TextPostings:
    """(name, acronym, other names, description) at positions 0, 1, 2…"""
    builder = TextPostingsBuilder()
    for position, (name, acronym, other_names, description) in enumerate(organisations):
        builder.add(position, name, acronym, other_names, description)
    return builder.build()


def catalogue_lookup(text: TextPostings, catalogue: dict[Tier, dict[str, list[int]]]):
    """The engine's lookup: the text tiers from the postings, the others from a catalogue
    of folded words and the positions each brings."""

    def lookup(tier: Tier, alternative: str, whole_word: bool) -> BitMap:
        if tier in TEXT_TIERS:
            return text.positions(tier, alternative, whole_word)
        words = catalogue.get(tier, {})
        return BitMap.union(
            BitMap(),
            *(
                BitMap(positions)
                for word, positions in words.items()
                if (word == alternative if whole_word else word.startswith(alternative))
            ),
        )

    return lookup


def ranked(text: TextPostings, query_text: str, catalogue=None, within=None) -> list[list[int]]:
    query = parse(query_text, SYNONYMS)
    lookup = catalogue_lookup(text, catalogue or {})
    everything = BitMap(range(100)) if within is None else within
    return [list(c) for c in rank(query, lookup, everything, text.exact(query))]


MALI = postings(
    ("Association des Femmes de Kayes", "AFK", [], "Aide aux filles et aux femmes."),
    ("Association Malienne des Expulsés", "A.M.E.", ["Expulsés du Mali"], "Accueil à Bamako."),
    ("Bureau pour l'Enfance", "BPE", [], "Droit des mineurs."),
    ("Centre Tilé-Coura", "", [], "L'amélioration des conditions des femmes."),
    ("Réseau Jeunesse et Retour", "RJR", ["Jeunes rapatriés"], ""),
    ("Union des Rapatriés", "UR", [], "Réinsertion des refoulés."),
)


def test_the_vocabulary_has_every_field_s_words_folded_once():
    words = MALI.vocabulary()
    assert words == sorted(set(words))
    assert {"femmes", "ame", "afk", "expulses", "tile", "coura", "rapatries"} <= set(words)
    assert "l" not in words and "d" not in words  # elisions are not indexed


def test_positions_by_field_prefix_and_whole_word():
    assert list(MALI.positions(Tier.NAME, "femme")) == [0]
    assert list(MALI.positions(Tier.DESCRIPTION, "femme")) == [0, 3]
    assert list(MALI.positions(Tier.OTHER_NAMES, "rapatri")) == [4]
    assert list(MALI.positions(Tier.NAME, "ame")) == [1]  # the acronym, dots removed
    assert list(MALI.positions(Tier.DESCRIPTION, "ame")) == [3]  # "amélioration"
    assert list(MALI.positions(Tier.DESCRIPTION, "ame", whole_word=True)) == []
    assert list(MALI.positions(Tier.NAME, "zzz")) == []


def test_plural_singular_accents_apostrophes_and_hyphens_all_match():
    assert ranked(MALI, "femme") == [[0], [3]]
    assert ranked(MALI, "FEMMES") == [[0], [3]]
    assert ranked(MALI, "l'enfance") == [[2]]
    assert ranked(MALI, "tile-coura") == [[3]]
    assert ranked(MALI, "Tilé Coura") == [[3]]
    assert ranked(MALI, "réinsertion") == [[5]]


def test_an_acronym_with_dots_or_spaces_matches_the_whole_acronym_only():
    assert ranked(MALI, "A.M.E.") == [[1]]
    assert ranked(MALI, "a m e") == [[1]]
    assert ranked(MALI, "ame") == [[1], [3]]  # typed together: also the start of "amélioration"


def test_synonyms_find_each_other_in_both_directions():
    assert ranked(MALI, "retour") == [[1, 4, 5]]  # expulsés, retour, rapatriés: all in names
    assert ranked(MALI, "rapatriées") == [[1, 4, 5]]
    assert ranked(MALI, "fille") == [[0], [3]]  # "femmes" in 3's description
    assert ranked(MALI, "femmes") == [[0], [3]]


def test_every_term_is_required():
    assert ranked(MALI, "femmes kayes") == [[0]]
    assert ranked(MALI, "femmes bamako") == []
    assert ranked(MALI, "retour jeunesse") == [[4]]


def test_one_typo_finds_what_the_right_spelling_finds():
    query = with_typos(parse("Expluses", SYNONYMS), MALI.vocabulary())
    lookup = catalogue_lookup(MALI, {})
    classes = rank(query, lookup, BitMap(range(6)), MALI.exact(query))
    assert [list(c) for c in classes] == [[1]]


# One word, "sahel", in a different tier for each organisation; the name order is the
# reverse of the tiers' order.
SAHEL = postings(
    ("Association A", "", [], "Actions au Sahel."),  # description
    ("Association B", "", [], ""),  # a partner
    ("Association C", "", [], ""),  # a zone
    ("Association D", "", [], ""),  # a theme
    ("Association E", "", ["Sahel Solidarité"], ""),  # another name
    ("Association Sahel F", "", [], ""),  # its name
    ("Association Sahel G", "", [], ""),  # its name too: a tie, kept in name order
)
SAHEL_CATALOGUE = {
    Tier.THEMES: {"sahel": [3]},
    Tier.ZONES: {"sahel": [2]},
    Tier.LINKS: {"sahel": [1]},
}


def test_name_words_come_before_other_names_themes_zones_links_and_description():
    assert ranked(SAHEL, "sahel", SAHEL_CATALOGUE) == [[5, 6], [4], [3], [2], [1], [0]]


def test_a_term_counts_once_in_its_best_tier():
    catalogue = {Tier.THEMES: {"sahel": [5, 6]}, Tier.ZONES: {"sahel": [0]}}
    # 5 and 6 have a theme too, 0 a zone besides its description: 1, 2, 3 no longer match.
    assert ranked(SAHEL, "sahel", catalogue) == [[5, 6], [4], [0]]


def test_one_word_of_the_name_outranks_two_words_found_elsewhere():
    text = postings(
        ("Alpha", "", ["Sahel de Kayes"], ""),  # both words in its other names
        ("Beta Kayes", "", [], "Au Sahel."),  # one in the name, one in the description
    )
    assert ranked(text, "kayes sahel") == [[1], [0]]


def test_the_exact_acronym_comes_first_whatever_the_name_order():
    text = postings(
        ("Amélioration des conditions", "", [], ""),
        ("Association Malienne des Expulsés", "AME", [], ""),
        ("Zone AME", "", [], ""),  # the word in its name, not its acronym
    )
    assert ranked(text, "AME") == [[1], [0, 2]]
    assert ranked(text, "A.M.E.") == [[1], [2]]


def test_the_exact_name_comes_first():
    text = postings(
        ("Association Tilé Coura du Nord", "", [], ""),
        ("Association Tilé Coura", "ATC", [], ""),
    )
    assert ranked(text, "association tile coura") == [[1], [0]]
    assert ranked(text, "ATC") == [[1]]


def test_an_exact_other_name_comes_first():
    text = postings(
        ("Maison d'Accueil des Migrants", "MAM", [], ""),
        ("Maison du Migrant de Gao", "", ["Maison du Migrant"], ""),
    )
    assert ranked(text, "maison du migrant") == [[1], [0]]
    assert ranked(text, "maison migrant") == [[0, 1]]


def test_an_acronym_made_of_words_is_exact_without_its_hyphen():
    text = postings(
        ("Réseau Migration Mali", "", [], ""),
        ("Réseau des Associations Migration", "RAMDEL-Mali", [], ""),
    )
    assert ranked(text, "ramdel mali") == [[1]]
    assert ranked(text, "mali") == [[0, 1]]  # the acronym's word: no exact acronym "MALI"


def test_the_classes_are_disjoint_and_cover_the_matches_within_the_filter():
    within = BitMap([0, 1, 3, 5])
    query = parse("femmes", SYNONYMS)
    lookup = catalogue_lookup(MALI, {Tier.THEMES: {"femmes": [1, 2]}})
    matches = find(query, lookup, MALI.exact(query))
    classes = matches.ranked(within)
    assert [list(c) for c in classes] == [[0], [1], [3]]
    assert BitMap.union(*classes) == matches.positions() & within
    assert list(matches.positions()) == [0, 1, 2, 3]


def test_no_term_finds_nothing():
    assert ranked(MALI, "") == []
    assert ranked(MALI, "  ") == []


def test_catalogue_entries_are_found_by_the_words_of_their_names_and_acronyms():
    words = CatalogueWords(
        [
            ("femmes", "Droit et Protection de femmes", ""),
            ("femmes", "Women's rights and protection", ""),
            ("enfants", "Droit et Protection des enfants", ""),
            ("kayes", "Kayes", ""),
            ("ramdel", "Réseau des Associations Migration et Développement Local", "RAMDEL-Mali"),
        ]
    )
    assert words.entries("droit") == {"femmes", "enfants"}
    assert words.entries("women") == {"femmes"}
    assert words.entries("protect") == {"femmes", "enfants"}
    assert words.entries("kay") == {"kayes"}
    assert words.entries("kay", whole_word=True) == set()
    assert words.entries("ramdel") == words.entries("ramdelmali", whole_word=True) == {"ramdel"}
    assert words.entries("zzz") == set()
    assert "rights" in words.vocabulary() and "s" not in words.vocabulary()
