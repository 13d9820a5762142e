"""The API fuzzed against its own OpenAPI document (/api/schema/), in-process through WSGI:
every operation, with generated parameters, answers without a server error and every answer
(status, content type, headers, body) matches what the document says. Parameters the document
forbids (negative mode) are refused, and chains of calls that follow the document's links
(stateful) hold too.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.export_world import build_export_world


@pytest.fixture(name="api_schema")
def api_schema_fixture(db, settings):
    # Schemathesis's WSGI client calls the server "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    build_export_world()
    # As Django's test client does: a request must not close the test's database connection
    # (its transaction holds the test data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Each operation gets its own bounded, derandomized run. (schemathesis's pytest loader,
# from_fixture, does not work with pytest 9, so the operations are driven here.)
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Filter values are slugs and ids from the database, which the document cannot list: an
# unknown one is a documented 400, not a rejected valid request.
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_matches_its_openapi_document(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    if mode is GenerationMode.NEGATIVE:
        # A detail's slug or id may be any text: only the lists' query parameters can be wrong.
        operations = [op for op in operations if _has_query_parameters(op)]
        assert len(operations) == 6  # five lists and the services list

    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def call_and_validate(case):
            case.call_and_validate(excluded_checks=NOT_CHECKED)

        try:
            call_and_validate()
        except Exception as error:
            error.add_note(f"operation: {operation.label}")
            raise


def _has_query_parameters(operation) -> bool:
    return any(parameter.location == "query" for parameter in operation.iter_parameters())


def test_calls_chained_by_the_documents_links_match_it(api_schema):
    class Machine(api_schema.as_state_machine()):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=NOT_CHECKED)

    Machine.run(settings=settings(FUZZ, max_examples=40, stateful_step_count=4))


def test_the_document_lists_the_operations_fuzzed(api_schema):
    operations = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert {
        ("GET", "/api/organisations/"),
        ("GET", "/api/organisations/{slug}/"),
        ("GET", "/api/zones/{id}/"),
        ("GET", "/api/themes/"),
        ("GET", "/api/networks/"),
        ("GET", "/api/partners/"),
    } <= operations
