"""schemathesis against the app's own OpenAPI schema, on the real test database: no answer
is a 5xx, and every answer matches the schema (status, content type, body).

Runs as an admin (the deepest reach) and as an anonymous caller, in positive and negative
modes, against a throwaway copy of the test database (restored from a dump of it), so
whatever the fuzzer writes is dropped with the copy. Bounded: a few examples per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from geo.common.security import Role
from geo.store import backup
from geo.store.db import make_engine
from tests.api.security.security_support import key_header, make_user, throwaway_db
from tests.api.security.security_support import settings as app_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 15  # per operation and mode; keeps the whole file well under a minute


@pytest.fixture(scope="module")
def fuzz_db(db_url, loaded, tmp_path_factory):
    """A private copy of the test database (real data), so fuzzed writes — users, keys,
    decisions, append-only audit entries — never reach the shared one."""
    dump = backup.dump(db_url, tmp_path_factory.mktemp("fuzz") / "copy.dump")
    with throwaway_db(db_url, "fuzz") as url:
        engine = make_engine(url)
        backup.restore(url, dump, engine)
        yield url, engine
        engine.dispose()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_db):
    url, engine = fuzz_db
    _, key = make_user(engine, Role.ADMIN)
    app = create_app(app_settings(), url=url)
    yield app, key
    asgi.shutdown_lifespans()  # stops the app's live index thread


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app[0])


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _fuzz(operation, mode: GenerationMode, headers: dict) -> str | None:
    """Run one operation; the failure report, or None."""

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # negative mode on an operation without inputs: nothing to negate
    except Exception as exc:  # noqa: BLE001 - collect every operation's failure
        return f"{operation.method.upper()} {operation.path}: {exc}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("identity", ["admin", "anonymous"])
def test_fuzz__no_5xx_and_every_answer_matches_the_schema(api_schema, fuzz_app, identity, mode):
    headers = key_header(fuzz_app[1]) if identity == "admin" else {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    failures = [f for f in (_fuzz(op, mode, headers) for op in operations) if f]
    assert not failures, "\n\n".join(failures)
