"""The dashboard in headless Chromium against a live server: no request leaves the host,
the layers are drawn, and moving the time control changes which decisions show.

Two decisions over Lũng Cú's belt are recorded through the HTTP API (committed: legal
records are never deleted, so their numbers are unique): one in force now, one that starts
in three days. The run leaves a screenshot in ``.borderzone/screenshots/``.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import sync_playwright

from geo.common.security import Role
from geo.common.timeutil import now
from tests.api.decisions.decision_support import decision_body, iso
from tests.api.security.security_support import drop_users, make_user
from tests.browser.chromium import launch
from tests.live_server import ROOT, live_server

SHOTS = ROOT / ".borderzone" / "screenshots"
VIEW = "/dashboard?center=105.33,23.22&zoom=11"  # Lũng Cú, on the China line
H = timedelta(hours=1)
#: A screen point on the outline of a path matching a selector, where that path is
#: the topmost element (so a click there reaches it), away from the controls.
ON_PATH = """(selector) => {
  for (const el of document.querySelectorAll(selector)) {
    const n = el.getTotalLength(), m = el.getScreenCTM();
    for (let i = 1; i < 200; i++) {
      const p = el.getPointAtLength(n * i / 200);
      const x = p.x * m.a + p.y * m.c + m.e, y = p.x * m.b + p.y * m.d + m.f;
      if (x > 60 && y > 120 && x < innerWidth - 360 && y < innerHeight - 200
          && document.elementFromPoint(x, y) === el) return [x, y];
    }
  }
  throw new Error("no visible point on " + selector);
}"""


def _hanoi_local(moment) -> str:
    return moment.astimezone(now().tzinfo).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def officer_key(engine, loaded):
    name, key = make_user(engine, Role.OFFICER, provinces=("08",))
    yield key
    drop_users(engine, [name])


def _issue(client: httpx.Client, key: str, start, hours: float) -> str:
    body = decision_body(start=start, hours=hours, signed_at=iso(now() - 2 * H))
    answer = client.post("/v1/decisions", json=body, headers={"X-API-Key": key})
    assert answer.status_code == 201, answer.text
    return body["number"]


def _wait_ready(page, generation: int) -> dict:
    # functions, not expression strings: the page's CSP forbids eval
    page.wait_for_function("(g) => window.bz && window.bz.ready && window.bz.generation > g",
                           arg=generation, timeout=90_000)
    return page.evaluate("() => ({generation: bz.generation, counts: bz.counts, "
                         "decisions: bz.decisions, errors: bz.errors})")


def _paths(page, layer: str) -> int:
    return page.locator(f"path.bz-layer-{layer}").count()


def test_dashboard__offline_layers_and_time_control(db_url, officer_key, tmp_path):
    requests: list[str] = []
    failed: list[str] = []
    with live_server(db_url) as server, httpx.Client(base_url=server.url, timeout=60) as api:
        now_dec = _issue(api, officer_key, now() - H, 12)
        later_start = now() + timedelta(days=3)
        later_dec = _issue(api, officer_key, later_start, 12)
        with sync_playwright() as pw:
            context = launch(pw, tmp_path / "profile")
            context.on("request", lambda r: requests.append(r.url))
            context.on("requestfailed", lambda r: failed.append(r.url))
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + VIEW)
            state = _wait_ready(page, 0)
            assert state["errors"] == [] and errors == []
            counts = state["counts"]
            assert counts["land_border"] >= 1 and counts["belt"] >= 1
            assert counts["land_border_communes"] >= 2  # Lũng Cú and its neighbours
            assert _paths(page, "land_border") >= 1 and _paths(page, "belt") >= 1
            assert _paths(page, "land_border_communes") == counts["land_border_communes"]
            assert now_dec in state["decisions"] and later_dec not in state["decisions"]
            assert _paths(page, "decisions") == counts["decisions"]
            text = page.inner_text("body")
            assert "Vành đai biên giới / Border belt" in text
            assert "sapnhap.bando.com.vn" in text  # the data attribution
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "dashboard-now.png"))

            page.fill("#bz-at", _hanoi_local(later_start + 2 * H))
            page.dispatch_event("#bz-at", "change")
            state = _wait_ready(page, state["generation"])
            assert later_dec in state["decisions"] and now_dec not in state["decisions"]

            page.locator("#bz-day").fill("1")  # the day slider: tomorrow, both out of force
            state = _wait_ready(page, state["generation"])
            assert now_dec not in state["decisions"] and later_dec not in state["decisions"]

            page.click("#bz-now")
            state = _wait_ready(page, state["generation"])
            assert now_dec in state["decisions"]
            page.mouse.click(*page.evaluate(ON_PATH, "path.bz-layer-decisions"))
            popup = page.locator(".leaflet-popup-content").inner_text()
            assert "Số / No." in popup and "Đồn Biên phòng Lũng Cú" in popup
            page.wait_for_timeout(400)  # the popup's fade-in, for the screenshot
            page.screenshot(path=str(SHOTS / "dashboard.png"))
            context.close()
        server.assert_alive()
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert any("/static/leaflet/leaflet.js" in url for url in requests)
    assert failed == []
