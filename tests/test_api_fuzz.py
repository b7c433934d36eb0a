"""Schema-driven fuzzing of our own API: no input may produce a 5xx.

Every operation in /openapi.json gets generated requests, valid and invalid (schemathesis
strategies driven by hypothesis), sent with a real account's key and connection; the vendor
behind it is the emulator. The pytest plugin of schemathesis does not load under pytest 9,
so the strategies are driven directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support.factories import Tenant, new_tenant

VENDOR_STATUSES = {502, 503, 504}  # legitimate vendor-side answers, not crashes


@pytest.fixture(scope="module")
def fuzz_tenant(http, settings, jira) -> Tenant:
    return new_tenant(http, settings, jira)


def test_no_input_gives_a_server_error(api, fuzz_tenant: Tenant) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=5,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case) -> None:
                headers = {**(case.headers or {}), **fuzz_tenant.headers}
                response = case.call(base_url=api.base_url, headers=headers, timeout=60)
                if response.status_code >= 500 and response.status_code not in VENDOR_STATUSES:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} -> "
                        f"{response.status_code}: {response.text[:300]}"
                    )

            try:
                run()
            except Unsatisfiable:  # nothing invalid to generate (no parameters)
                assert mode is GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures[:20])
