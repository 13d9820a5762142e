"""The 404 page in the visitor's language and the 500 page in French and English."""

import pytest
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def _fail(request):
    raise RuntimeError("a bug")


# The site plus a view that fails, with the site's handler500.
urlpatterns = [path("echec/", _fail), *site_urlpatterns]
handler500 = "config.views.server_error"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "language", "title", "text", "link"),
    [
        (
            "/organisations/inconnue/",
            "fr",
            "Page introuvable",
            "Cette page n’existe pas, ou l’organisation n’est pas publiée.",
            'href="/organisations/"',
        ),
        (
            "/nulle-part/",
            "fr",
            "Page introuvable",
            "Cette page n’existe pas",
            'href="/organisations/"',
        ),
        (
            "/en/organisations/unknown/",
            "en",
            "Page not found",
            "This page does not exist, or the organisation is not published.",
            'href="/en/organisations/"',
        ),
    ],
)
def test_the_404_page_speaks_the_visitors_language(client, url, language, title, text, link):
    response = client.get(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert f"<h1>{title}</h1>" in body
    assert text in body
    assert link in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_500_page_says_it_in_french_and_english_and_hides_the_error(client):
    client.raise_request_exception = False

    response = client.get("/echec/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1>Erreur du serveur</h1>" in body
    assert "Cette page n'a pas pu être affichée." in body
    assert '<div lang="en">' in body
    assert "This page could not be shown. The error has been logged" in body
    assert "RuntimeError" not in body
    assert "a bug" not in body
    assert "<script" not in body
    assert "style=" not in body
