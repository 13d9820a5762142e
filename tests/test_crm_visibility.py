"""Private values never reach a public URL, and the admin labels them as private."""

import io
import zipfile

import pypdf
import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver, reverse
from django.utils import translation

from crm.factories import AssignmentFactory, InteractionFactory
from needs.factories import OrganisationNeedFactory
from networks.factories import NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OrganisationFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
)
from services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

SECRETS = [
    "+22399999999",
    "secret@prive.org",
    "Personne Secrète",
    "+22388888888",
    "besoin-secret-note",
    "note-interne-secrete",
    "Organisation Brouillon Cachée",
    "interaction-secrete",
    "Service Brouillon Caché",
    "note-service-secrete",
    "Service D'un Brouillon",
]
PUBLIC_NAMESPACES = ["directory", "exports", "api"]


@pytest.fixture
def planted():
    region = RegionFactory(name="Kayes")
    theme, partner = ThemeFactory(slug="protection"), PartnerFactory(slug="giz")
    public = OrganisationFactory(
        name="Organisation Publique",
        slug="publique",
        staff_notes="note-interne-secrete",
        zones=[region],
        themes=[theme],
        partners=[partner],
    )
    draft = OrganisationFactory(
        name="Organisation Brouillon Cachée",
        slug="brouillon",
        status="draft",
        zones=[region],
        themes=[theme],
        partners=[partner],
    )
    network = NetworkFactory(slug="fam", members=[public, draft])
    ContactChannelFactory(organisation=public, value="+22320000001")
    ContactChannelFactory(organisation=public, value="+22399999999", is_public=False)
    ContactChannelFactory(
        organisation=public, kind="email", value="secret@prive.org", is_public=False
    )
    ContactPersonFactory(organisation=public, name="Personne Secrète", phone="+22388888888")
    OrganisationNeedFactory(organisation=public, is_public=False, notes="besoin-secret-note")
    OrganisationNeedFactory(organisation=public, is_public=True)
    InteractionFactory(organisation=public, summary="interaction-secrete")
    AssignmentFactory(organisation=public)
    shown = ServiceFactory(organisation=public, zones=[region], staff_notes="note-service-secrete")
    shown.channels.set(public.channels.all())  # the private ones too: never shown
    ServiceFactory(organisation=public, name="Service Brouillon Caché", status="draft")
    ServiceFactory(organisation=draft, name="Service D'un Brouillon", zones=[region])
    return {
        "public": public,
        "draft": draft,
        "region": region,
        "theme": theme,
        "partner": partner,
        "network": network,
        "service": shown,
    }


def _public_urls(planted):
    """Every public URL name with the arguments that show the planted records."""
    public, region = planted["public"], planted["region"]
    return {
        "directory:home": [],
        "directory:organisation_list": [],
        "directory:organisation_detail": [public.slug],
        "directory:organisation_sheet": [public.slug],
        "directory:network_list": [],
        "directory:network_detail": [planted["network"].slug],
        "directory:theme_list": [],
        "directory:theme_detail": [planted["theme"].slug],
        "directory:zone_detail": [region.pk],
        "directory:statistics": [],
        "directory:map": [],
        "directory:find_help": [],
        "directory:gaps": [],
        "directory:gaps_csv": [],
        "exports:annuaire": ["csv"],
        "exports:annuaire_pdf": [],
        "exports:full": ["xlsx"],
        "exports:hxl": [],
        "exports:three_w": [],
        "exports:hsds": [],
        "api:api-root": [],
        "api:schema": [],
        "api:docs": [],
        "api:organisation-list": [],
        "api:organisation-detail": [public.slug],
        "api:zone-list": [],
        "api:zone-detail": [region.pk],
        "api:theme-list": [],
        "api:theme-detail": [planted["theme"].slug],
        "api:network-list": [],
        "api:network-detail": [planted["network"].slug],
        "api:partner-list": [],
        "api:partner-detail": [planted["partner"].slug],
        "api:service-list": [],
        "api:service-detail": [planted["service"].pk],
    }


def _named_public_urls():
    names = set()
    resolver = get_resolver()
    for namespace in PUBLIC_NAMESPACES:
        _prefix, sub_resolver = resolver.namespace_dict[namespace]
        names |= {
            f"{namespace}:{name}" for name in sub_resolver.reverse_dict if isinstance(name, str)
        }
    return names


def _texts(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # xlsx and zip packages: read every member
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            return [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
    if body[:5] == b"%PDF-":  # the PDF annuaire and profile sheet: their text
        return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages]
    return [body.decode("utf-8-sig", "replace")]


def test_every_public_url_is_checked(planted):
    assert _named_public_urls() <= set(_public_urls(planted))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_public_url_shows_a_private_value(client, planted, language):
    for name, args in _public_urls(planted).items():
        with translation.override(language):
            url = reverse(name, args=args)
        if language == "en" and not name.startswith("api:"):
            assert url.startswith("/en/")
        response = client.get(url)
        assert response.status_code == 200, url
        for text in _texts(response):
            leaked = [secret for secret in SECRETS if secret in text]
            assert leaked == [], f"{url} shows {leaked}"


def test_a_draft_organisation_has_no_public_page(client, planted):
    draft = planted["draft"]
    assert (
        client.get(reverse("directory:organisation_detail", args=[draft.slug])).status_code == 404
    )
    assert client.get(reverse("api:organisation-detail", args=[draft.slug])).status_code == 404


def test_the_admin_labels_private_values(admin_client, planted):
    public = planted["public"]
    url = reverse("admin:organisations_organisation_change", args=[public.pk])
    content = admin_client.get(url).content.decode()
    # Two channels, one person, one need, one draft service are private; one channel, one
    # need, one published service are public.
    assert content.count('class="visibility-private"') == 5
    assert content.count('class="visibility-public"') == 3
    assert "No consent to publish is recorded for this person." in content or (
        "Aucun consentement" in content
    )


def test_staff_without_the_private_permission_do_not_see_private_values_in_the_admin(
    client, django_user_model, planted
):
    user = django_user_model.objects.create_user("stagiaire", password="x" * 12, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_organisation",
                "change_organisation",
                "view_contactchannel",
                "view_contactperson",
                "view_service",
            ]
        )
    )
    client.force_login(user)
    public = planted["public"]
    content = client.get(
        reverse("admin:organisations_organisation_change", args=[public.pk])
    ).content.decode()
    assert "+22320000001" in content
    assert planted["service"].name in content
    for secret in [
        "+22399999999",
        "secret@prive.org",
        "Personne Secrète",
        "note-interne-secrete",
        "note-service-secrete",
    ]:
        assert secret not in content
    service_page = client.get(
        reverse("admin:services_service_change", args=[planted["service"].pk])
    ).content.decode()
    assert planted["service"].name in service_page
    assert "note-service-secrete" not in service_page
