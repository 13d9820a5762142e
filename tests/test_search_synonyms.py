"""Staff keep the search's synonym groups in the admin; a new database starts with five."""

import pytest
from django.urls import reverse

from organisations.models import SearchSynonym
from organisations.synonyms import SEEDED_GROUPS, synonym_groups

pytestmark = pytest.mark.django_db

ADD = reverse("admin:organisations_searchsynonym_add")


@pytest.fixture
def seeded_groups():
    """The migration's groups (a transactional test elsewhere may have flushed them)."""
    for words in SEEDED_GROUPS:
        SearchSynonym.objects.get_or_create(words=words)


def test_a_new_database_has_the_seeded_groups_folded(seeded_groups):
    assert synonym_groups() == [
        ("retour", "retourne", "rapatrie", "expulse", "refoule"),
        ("femme", "fille"),
        ("enfant", "mineur"),
        ("jeune", "jeunesse"),
        ("deplace", "pdi"),
    ]


def test_staff_add_a_group_in_the_admin(staff_client):
    response = staff_client.post(ADD, {"words": "Exode, migration"})
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(words="Exode, migration").exists()
    assert synonym_groups()[-1] == ("exode", "migration")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("retour", "Écrivez au moins deux mots différents séparés par des virgules"),
        ("Retour, retour ,", "Écrivez au moins deux mots différents séparés par des virgules"),
        (
            "PDI, personne déplacée, aide-ménagère",
            "Chaque synonyme doit être un seul mot, sans espace ni trait d’union : "
            "« personne déplacée », « aide-ménagère ».",
        ),
    ],
)
def test_the_admin_refuses_a_group_of_fewer_than_two_words_in_french(staff_client, words, message):
    before = SearchSynonym.objects.count()
    response = staff_client.post(ADD, {"words": words})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SearchSynonym.objects.count() == before
