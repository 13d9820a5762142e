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


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_says_what_to_do_in_french_and_english():
    from django.test import Client

    from organisations.factories import OrganisationFactory

    organisation = OrganisationFactory(slug="ajk")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/organisations/ajk/proposer-une-correction/",
        {"part": "acronym", "value": "AJK-K", "sender_email": "awa@example.org"},
    )

    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "<h1>Le formulaire n'a pas pu être vérifié</h1>" in body
    assert "rechargez le formulaire, puis envoyez-le à nouveau" in body
    assert "Go back to the previous page, reload the form, then send it again." in body
    assert "CSRF" not in body and "awa@example.org" not in body
    assert not organisation.proposals.exists()


@pytest.mark.django_db
def test_a_refused_page_says_so_in_french(client, django_user_model):
    from django.contrib.auth.models import Group

    from crm.roles import VIEWERS
    from organisations.factories import OrganisationFactory

    viewer = django_user_model.objects.create_user(username="v", password="x" * 12, is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWERS))
    client.force_login(viewer)
    organisation = OrganisationFactory()

    response = client.post(f"/admin/organisations/organisation/{organisation.pk}/send-link/")

    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in response.content.decode()
