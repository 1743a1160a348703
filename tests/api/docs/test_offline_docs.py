"""/docs and /redoc work on a network with no internet: every script, style sheet and icon
they name is served by borderzone, and the browser is told to fetch nothing else."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

#: what FastAPI's own pages load from outside
CDN_HOSTS = ("cdn.jsdelivr.net", "fonts.googleapis.com", "fastapi.tiangolo.com", "unpkg.com")
#: a CSS rule that makes the browser fetch: url(...) or @import
CSS_FETCH = re.compile(r"""url\(\s*['"]?\s*(?!data:)([^'")\s]+)|@import\s+['"]?([^'";\s]+)""")


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.fixture(scope="module")
def client():
    # no lifespan: the pages and the document need no database
    return TestClient(create_app(Settings(), url="postgresql+psycopg://x@127.0.0.1:1/x"))


def _refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page__names_only_local_assets_and_each_is_served(client, page):
    response = client.get(page)
    assert response.status_code == 200
    refs = _refs(response.text)
    assert any(r.endswith(".js") for r in refs) and any(r.endswith(".png") for r in refs)
    for ref in refs:
        parts = urlsplit(ref)
        assert not parts.scheme and not parts.netloc and ref.startswith("/"), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 1000, ref
        if ref.endswith(".css"):
            fetched = [a or b for a, b in CSS_FETCH.findall(asset.text)]
            assert all(not urlsplit(u).netloc for u in fetched), fetched
    for host in CDN_HOSTS:
        assert host not in response.text


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_page__browser_may_fetch_from_borderzone_only(client, page):
    csp = client.get(page).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
        sources = directives[name].split()
        assert "'self'" in sources
        assert all(s in ("'self'", "'unsafe-inline'", "data:") for s in sources), (name, csp)


def test_swagger_ui__online_validator_is_off(client):
    """Its default would send the document to validator.swagger.io and show its badge."""
    html = client.get("/docs").text
    assert '"validatorUrl": null' in html
    bundle = client.get("/docs-static/swagger-ui-bundle.js").text
    assert "validator.swagger.io" in bundle  # the default the page switches off


def test_redoc__no_google_fonts(client):
    html = client.get("/redoc").text
    assert "<redoc spec-url=\"/openapi.json\"" in html
    assert "googleapis" not in html and "gstatic" not in html


def test_docs_assets__unknown_file_is_404_and_no_directory_listing(client):
    assert client.get("/docs-static/nope.js").status_code == 404
    assert client.get("/docs-static/../../api/docs.py").status_code == 404
    assert client.get("/docs-static/").status_code == 404
