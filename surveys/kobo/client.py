"""Read a form's submissions from the KoboToolbox API v2 (``/api/v2/assets/<uid>/data/``).

Pages are asked with ``start``/``limit`` and followed by their ``next`` link; the incremental
filter is a ``query`` on ``_submission_time``. Every way the exchange can go wrong ends in
KoboError, whose message (in the user's language) says what to do: nothing half-read is
ever handed on.
"""

import json
from collections.abc import Callable
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.utils.translation import gettext as _


class KoboError(Exception):
    """The pull failed; the message is meant for the user."""


def data_url(server: str, asset_uid: str, since: str, page_size: int) -> str:
    """The first page's address; ``since`` ("" for everything) filters on _submission_time."""
    params = {"format": "json", "start": 0, "limit": page_size}
    if since:
        params["query"] = json.dumps({"_submission_time": {"$gt": since}})
    return f"{server.rstrip('/')}/api/v2/assets/{asset_uid}/data/?{urlencode(params)}"


def fetch_submissions(
    server: str,
    asset_uid: str,
    token: str,
    since: str = "",
    *,
    page_size: int = 1000,
    timeout: float = 30,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Every submission of the form (submitted after ``since``), all pages read."""
    url = data_url(server, asset_uid, since, page_size)
    origin = urlsplit(url)[:2]
    seen_pages: set[str] = set()
    submissions: list[dict] = []
    announced: int | None = None
    while url:
        if url in seen_pages:
            raise KoboError(
                _(
                    "The server sent the same page twice (a paging loop); nothing was "
                    "imported. Try again later."
                )
            )
        seen_pages.add(url)
        if urlsplit(url)[:2] != origin:
            # The token must not travel to another server.
            raise KoboError(
                _("The server's next page is on another server (%(url)s); nothing was imported.")
                % {"url": url[:200]}
            )
        page = _get_page(url, token, timeout, asset_uid, server)
        count, results, url = page["count"], page["results"], page["next"]
        if announced is not None and count != announced:
            raise KoboError(
                _(
                    "The number of submissions changed during the pull (%(before)s, then "
                    "%(after)s); nothing was imported. Pull again."
                )
                % {"before": announced, "after": count}
            )
        announced = count
        if url and not results:
            raise KoboError(
                _("The server sent an empty page before the end; nothing was imported.")
            )
        submissions.extend(results)
        if progress:
            progress(len(submissions), count)
    if announced != len(submissions):
        raise KoboError(
            _(
                "The server announced %(announced)s submissions but sent %(received)s; "
                "nothing was imported. Pull again."
            )
            % {"announced": announced, "received": len(submissions)}
        )
    ids = [submission.get("_id") for submission in submissions]
    if len(set(ids)) != len(ids):
        raise KoboError(
            _("The server sent some submissions twice (a paging mistake); nothing was imported.")
        )
    return submissions


def _get_page(url: str, token: str, timeout: float, asset_uid: str, server: str) -> dict:
    request = Request(
        url, headers={"Authorization": f"Token {token}", "Accept": "application/json"}
    )
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only, checked)
            body = response.read()
    except HTTPError as exc:
        raise KoboError(_http_message(exc.code, asset_uid, server)) from None
    except (URLError, OSError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
            raise KoboError(
                _("%(server)s did not answer within %(seconds)s seconds; nothing was imported.")
                % {"server": server, "seconds": timeout}
            ) from None
        raise KoboError(
            _("Cannot reach %(server)s (%(reason)s); nothing was imported.")
            % {"server": server, "reason": reason}
        ) from None
    return _parse_page(body)


def _http_message(status: int, asset_uid: str, server: str) -> str:
    if status == 401:
        return _(
            "KoboToolbox refused the API token (401): check the token in the environment "
            "variable; nothing was imported."
        )
    if status == 403:
        return _(
            "The API token's account may not read the submissions of form %(uid)s (403); "
            "nothing was imported."
        ) % {"uid": asset_uid}
    if status == 404:
        return _(
            "No form %(uid)s on %(server)s (404): check the server address and the asset "
            "uid; nothing was imported."
        ) % {"uid": asset_uid, "server": server}
    return _("KoboToolbox answered with an error (HTTP %(status)s); nothing was imported.") % {
        "status": status
    }


def _parse_page(body: bytes) -> dict:
    bad = KoboError(
        _(
            "KoboToolbox's answer is not the expected JSON list of submissions; nothing "
            "was imported."
        )
    )
    try:
        page = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(page, dict):
        raise bad
    results = page.get("results")
    count = page.get("count")
    following = page.get("next")
    if (
        not isinstance(results, list)
        or not all(isinstance(item, dict) for item in results)
        or not isinstance(count, int)
        or isinstance(count, bool)
        or not (following is None or isinstance(following, str))
    ):
        raise bad
    return {"count": count, "results": results, "next": following or ""}
