"""The API schema and docs: signed-in users only (unless YIKA_API_DOCS_PUBLIC), Swagger UI from the
site's own static files under the site's CSP (issues 15.16 and 14.10); and no page of the site
references another host (walked over every page the permission matrix knows, as each role)."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from rest_framework.test import APIClient

from assets import credentials
from config.middleware import CSP
from tests.permission_matrix import MATRIX, OBJECTS, ROLES
from tests.test_permission_matrix import matrix_context  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
DOCS = "/api/docs/"


def test_anonymous_gets_neither_schema_nor_docs():
    client = APIClient()
    assert client.get(SCHEMA).status_code == 401
    docs = client.get(DOCS)
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("login"))
    assert "next=/api/docs/" in docs["Location"]
    assert client.get(DOCS + "?script=").status_code == 401


def test_signed_in_users_get_schema_and_docs(clerk):
    browser = APIClient()
    browser.force_login(clerk)
    assert browser.get(SCHEMA).status_code == 200
    assert browser.get(DOCS).status_code == 200
    bearer = APIClient(HTTP_AUTHORIZATION=f"Token {credentials.issue_token(user=clerk)}")
    assert bearer.get(SCHEMA).status_code == 200


def test_docs_can_be_made_public(settings, db):
    settings.YIKA_API_DOCS_PUBLIC = True
    client = APIClient()
    assert client.get(SCHEMA).status_code == 200
    assert client.get(DOCS).status_code == 200


def test_docs_load_swagger_ui_from_the_site_under_its_csp(clerk):
    client = APIClient()
    client.force_login(clerk)
    page = client.get(DOCS)
    html = page.content.decode()
    assert page["Content-Security-Policy"] == CSP
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    # No inline script: the init script is a file, allowed by script-src 'self'.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = client.get(DOCS + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
    static = "/" + settings.STATIC_URL.strip("/") + "/"
    for source in sources:
        if source.startswith(DOCS):
            continue  # the init script, fetched below
        assert source.startswith(static), source
        assert finders.find(source.removeprefix(static)), f"{source} is not a vendored file"


def test_api_answers_carry_the_csp(clerk):
    client = APIClient()
    client.force_login(clerk)
    assert client.get("/api/v1/assets/")["Content-Security-Policy"] == CSP
    assert client.get("/api/v1/assets/", HTTP_ACCEPT="text/html")["Content-Security-Policy"] == CSP


# --- no page references another host ------------------------------------------------------------

REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])"""
    r"""((?:https?:)?//[^\s"'<>)]+)""",
    re.IGNORECASE,
)


def outside_references(html: str) -> list[str]:
    own = {"testserver", urlsplit(settings.SITE_URL).hostname}
    return [url for url in REFERENCE.findall(html) if urlsplit(url).hostname not in own]


def test_the_outside_reference_check_finds_them():
    html = (
        '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist/x.js"></script>'
        "<link href=//fonts.googleapis.com/css rel=stylesheet>"
        "<div style=\"background:url('https://example.com/a.png')\"></div>"
        '<a href="/assets/">ok</a><a href="http://testserver/x">ok</a>'
    )
    assert len(outside_references(html)) == 3


GET_ROWS = [row for row in MATRIX if row.method == "GET"]


@pytest.mark.parametrize("row", GET_ROWS, ids=[row.id for row in GET_ROWS])
def test_no_page_references_another_host(matrix_context, row):  # noqa: F811
    kwargs = OBJECTS[row.object_kind](matrix_context, True) if row.object_kind else {}
    url = reverse(row.route, kwargs=kwargs)
    found = []
    for role in ROLES:
        client = APIClient()
        if role != "anonymous":
            client.force_login(matrix_context.users[role])
        response = client.get(url, HTTP_ACCEPT="text/html")
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found += [f"{role}: {ref}" for ref in outside_references(body.decode())]
    assert not found, f"{url}: " + "; ".join(found)


def test_the_schema_describes_the_api_in_the_readers_language(clerk):
    """The docs page shows the schema's description: in Chinese for a Chinese reader (it was
    English in the zh UI), English only in English."""
    browser = APIClient()
    browser.force_login(clerk)
    zh = browser.get(SCHEMA + "?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["info"]
    assert zh["description"].startswith("一卡 Yika——IT 资产登记")
    assert "register" not in zh["description"]
    en = browser.get(SCHEMA + "?format=json", HTTP_ACCEPT_LANGUAGE="en").json()["info"]
    assert en["description"] == "Yika — IT asset register: cards, labels, handovers, stocktakes."
    assert zh["title"] == en["title"] == "Yika API"
