"""A fake KoboToolbox server for the tests: the API v2 data endpoint, served over real HTTP
from a thread, with answers written from KoboToolbox's documentation (kpi's
docs/api/v2/data/list.md and its OpenAPI description of a submission).

    GET /api/v2/assets/<uid>/data/?format=json&start=0&limit=2&query={"_submission_time": …}
    -> {"count": 3, "next": "http://…&start=2", "previous": null, "results": [ … ]}

``KoboServer.mistake`` makes it misbehave the ways a pull must survive.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS, THEME_CODES

ASSET_UID = "aTPPUDScaFZkvBzd8FyK4Q"
TOKEN = "d4f1c2e3b5a6978812345678abcdef0123456789"


def kobo_json(submission: dict, index: int, submitted: str = "") -> dict:
    """A submission of the reference questionnaire as the API gives it: answered questions
    only, all text; select_multiple as space-separated codes; the repeat group as a list."""
    answers = {
        key: str(value)
        for key, value in submission.items()
        if key != "contacts" and not key.startswith("activites/themes/") and value not in ("", None)
    }
    if not answers.get("activites/themes"):
        codes = [c for c in THEME_CODES if submission.get(f"activites/themes/{c}")]
        if codes:
            answers["activites/themes"] = " ".join(codes)
    uuid = answers.pop("_uuid", f"00000000-0000-4000-8000-{index:012d}")
    data = {
        "_id": 100000 + index,
        "formhub/uuid": "b5d4a0c4e1f24b4aa1e0c0f3d1a2b3c4",
        "start": "2022-03-14T09:40:00.000+00:00",
        "end": "2022-03-14T10:11:00.000+00:00",
        **answers,
        "__version__": "vWvkKzNE8xCtfApJvabfjG",
        "meta/instanceID": f"uuid:{uuid}",
        "_xform_id_string": ASSET_UID,
        "_uuid": uuid,
        "meta/rootUuid": f"uuid:{uuid}",
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [None, None],
        "_submission_time": submitted or f"2022-03-14T10:12:{index:02d}",
        "_tags": [],
        "_notes": [],
        "_validation_status": {
            "timestamp": 1647252720,
            "uid": "validation_status_approved",
            "by_whom": "enqueteur",
            "label": "Approved",
        },
        "_submitted_by": None,
    }
    contacts = [
        {
            key: value
            for key, value in zip(
                [
                    "contacts/nom_contact",
                    "contacts/fonction",
                    "contacts/telephone_contact",
                    "contacts/email_contact",
                ],
                person,
                strict=True,
            )
            if value
        }
        for person in submission.get("contacts", [])
    ]
    if contacts:
        data["contacts"] = contacts
    return data


def reference_submissions() -> list[dict]:
    return [kobo_json(s, i) for i, s in enumerate(EXAMPLE_SUBMISSIONS, start=1)]


class KoboServer:
    """The fake server's state: its submissions, the requests it got, its mistake."""

    def __init__(self):
        self.submissions: list[dict] = []
        self.requests: list[dict] = []
        self.mistake = ""
        self.page_size_cap = 0  # the server's own page size, below the client's limit
        self.delay = 0.0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def page(self, path: str, query: dict, authorization: str) -> tuple[int, bytes]:
        if authorization != f"Token {TOKEN}":
            return 401, b'{"detail": "Invalid token."}'
        if path != f"/api/v2/assets/{ASSET_UID}/data/":
            return 404, b'{"detail": "Not found."}'
        if self.mistake in ("403", "500"):
            return int(self.mistake), b'{"detail": "You do not have permission."}'
        if self.mistake == "bad json":
            return 200, b"<html><body>Maintenance</body></html>"
        if self.delay:
            time.sleep(self.delay)
        rows = self.submissions
        if "query" in query:
            since = json.loads(query["query"])["_submission_time"]["$gt"]
            rows = [row for row in rows if row["_submission_time"] > since]
        start, limit = int(query.get("start", 0)), int(query.get("limit", 100))
        if self.page_size_cap:
            limit = min(limit, self.page_size_cap)
        following = ""
        if start + limit < len(rows):
            following_start = start if self.mistake == "loop" else start + limit
            following = "?" + urlencode({**query, "start": following_start, "limit": limit})
        count = len(rows) + (1 if self.mistake == "count" else 0)
        body = {
            "count": count,
            "next": f"{self.url}{path}{following}" if following else None,
            "previous": None,
            "results": rows[start : start + limit],
        }
        return 200, json.dumps(body).encode()


def _handler(server: KoboServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server name)
            address = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(address.query).items()}
            authorization = self.headers.get("Authorization", "")
            server.requests.append({"path": address.path, "query": query, "auth": authorization})
            status, body = server.page(address.path, query, authorization)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
