"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis through the WSGI app,
no server): for a sample of record types, every operation answers generated — valid and invalid —
queries and batches without a server error. Bounded: a few examples per operation, < 60 s in all."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from tests.api.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db(transaction=False)
#: a sample covering FKs, personal data, choices, money, dates and a region-keyed type
SAMPLE = ["contracts.contract", "labour.worker", "funds.bankaccount", "regions.collectiveorg"]
EXAMPLES = 12


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus the per-request connection close (as Django's test client does), so
    requests run inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_generated_requests_never_get_a_server_error(make_api, wsgi_app):
    api = make_api(TOWNSHIP_A, SAMPLE)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    pattern = "^/api/v1/records/(" + "|".join(s.replace(".", r"\.") for s in SAMPLE) + ")/"
    operations = [result.ok() for result in schema.include(path_regex=pattern).get_all_operations()]
    assert len(operations) == 3 * len(SAMPLE)
    headers = {"Authorization": f"Bearer {api.raw}"}
    failures, statuses = [], {}

    def fuzz(operation):
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=headers)
            statuses.setdefault(operation.label, set()).add(response.status_code)
            if response.status_code >= 500:
                failures.append((operation.label, case.query, case.body, response.text[:300]))

        call()

    for operation in operations:
        fuzz(operation)
    assert failures == []
    # the fuzzer got through authentication: every list and batch operation answered 200 at least once
    assert all(200 in codes for label, codes in statuses.items() if not label.endswith("/item/")), statuses
