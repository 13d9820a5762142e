"""Every public page, the admin and the production configuration send the security headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, reverse
from django.utils import translation

from directory import urls as directory_urls
from networks.factories import NetworkFactory
from organisations.factories import OrganisationFactory, RegionFactory, ThemeFactory

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Arguments for the directory's URLs that take one, keyed by URL name.
ROUTE_ARGUMENTS = {
    "organisation_detail": lambda objects: [objects["organisation"].slug],
    "organisation_sheet": lambda objects: [objects["organisation"].slug],
    "network_detail": lambda objects: [objects["network"].slug],
    "theme_detail": lambda objects: [objects["theme"].slug],
    "zone_detail": lambda objects: [objects["zone"].pk],
}


def _directory_url_names() -> list[str]:
    return [p.name for p in directory_urls.urlpatterns if isinstance(p, URLPattern) and p.name]


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def public_objects():
    zone = RegionFactory(name="Kayes")
    theme = ThemeFactory(name="Migration de retour")
    organisation = OrganisationFactory(
        name="Association Jeunesse Kayes", zones=[zone], themes=[theme]
    )
    network = NetworkFactory(name="Réseau des associations de Kayes", members=[organisation])
    return {"organisation": organisation, "network": network, "theme": theme, "zone": zone}


def _public_urls(objects) -> list[str]:
    urls = []
    for language in ("fr", "en"):
        with translation.override(language):
            for name in _directory_url_names():
                arguments = ROUTE_ARGUMENTS.get(name, lambda _objects: [])(objects)
                urls.append(reverse(f"directory:{name}", args=arguments))
    return urls


def test_every_directory_url_with_arguments_is_covered():
    needing_arguments = {
        p.name
        for p in directory_urls.urlpatterns
        if isinstance(p, URLPattern) and p.name and p.pattern.converters
    }
    missing = needing_arguments - ROUTE_ARGUMENTS.keys()
    assert not missing, f"add arguments for {sorted(missing)} to ROUTE_ARGUMENTS"


def test_the_main_public_pages_are_among_those_checked():
    assert {"home", "organisation_detail"} <= set(_directory_url_names())
    assert "organisation_list" in _directory_url_names()


@pytest.mark.django_db
def test_every_public_page_sends_the_strict_policy_and_security_headers(client, public_objects):
    urls = _public_urls(public_objects)
    assert "/" in urls and "/en/" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _directives(response["Content-Security-Policy"]) == PUBLIC_POLICY, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
]


@pytest.mark.django_db
def test_no_public_page_carries_inline_code_the_policy_would_block(client, public_objects):
    for url in _public_urls(public_objects):
        response = client.get(url)
        if response["Content-Type"] == "application/pdf":  # a profile sheet: no markup
            continue
        html = response.content.decode()
        for pattern, what in INLINE_CODE:
            assert not pattern.search(html), f"{url} has an {what}, which the CSP blocks"


@pytest.mark.django_db
def test_the_admin_alone_allows_inline_styles(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    directives = _directives(response["Content-Security-Policy"])
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src-attr"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_https_requests_get_strict_transport_security(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"


def _run_manage(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "example.org",
    "CSRF_TRUSTED_ORIGINS": "https://example.org",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def test_the_production_configuration_passes_the_deployment_checks():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS)"
    )
    result = _run_manage("shell", "-c", code, **PRODUCTION, SECURE_HSTS_SECONDS="600")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "True True True 600 ('HTTP_X_FORWARDED_PROTO', 'https') ['https://example.org']"
    )


def test_development_stays_on_plain_http():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    result = _run_manage("shell", "-c", code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False 0 False"
