"""Fixtures of the survey tests: the app, the test site on the real data, the sketch, and
Hoành Mô's location recorded as a test survey point."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.decisions.decision_support import auth
from tests.api.security.security_support import settings
from tests.api.surveys import survey_support as ss
from tests.api.surveys.survey_support import OFFICER


@pytest.fixture(scope="module")
def client(db_url, loaded):
    # the safety-net probe every 10 minutes: a new area must reach the checks through the
    # NOTIFY the checkpoint_area trigger raises
    app = create_app(settings(index_poll_s=600.0), url=db_url)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def site(engine, loaded):
    return ss.site(engine)


@pytest.fixture(scope="module")
def sketch(site):
    return site.sketch(1200)


@pytest.fixture(scope="module")
def located(client, site, sketch):
    """Hoành Mô's location, recorded as a test survey point: a real point of the commune
    400 m inland from the border, inside the sketch."""
    point = site.inland_point(400)
    assert sketch.contains(point) and site.commune.contains(point)
    response = client.post(f"/v1/gates/{ss.GATE}/location", headers=auth(client, OFFICER),
                           json={"lon": point.x, "lat": point.y, "source": "survey",
                                 "accuracy_m": 5.0,
                                 "reference": "test survey point (borderzone tests)"})
    assert response.status_code == 201, response.text
    return point


