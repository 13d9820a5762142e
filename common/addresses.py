"""The client's address: what django-axes counts login failures against and the public
forms' rate limit counts proposals by."""

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` trusted proxies the address the
    outermost of them saw (earlier X-Forwarded-For entries can be forged by the client)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
