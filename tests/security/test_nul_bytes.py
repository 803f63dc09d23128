"""NUL characters are refused at the edge with a 400 (JSON under /api/, a page elsewhere), never a
500 from the database; every API error is JSON, 500 included (SECURITY.md section 4; issue 15.10).
"""

import json

import pytest
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from assets.models import Asset
from config import urls as config_urls
from tests.factories import make_asset, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(centre, clerk, admin_user):
    asset = make_asset(owner=centre, actor=clerk, name="交换机")
    campaign = make_campaign(actor=admin_user, departments=[centre], activate=False)
    return {"asset": asset, "campaign": campaign}


API_GETS = [
    "/api/v1/assets/%00/",
    "/api/v1/assets/?q=%00",
    "/api/v1/assets/?owner_department=%00",
    "/api/v1/assets/?status=%00",
    "/api/v1/assets/?parent=%00",
    "/api/v1/assets/%00/events/",
    "/api/v1/assets/%00/components/",
    "/api/v1/handovers/?state=%00",
    "/api/v1/stocktakes/{campaign}/lines/?department=%00",
    "/api/v1/stocktakes/{campaign}/lines/?result=%00",
    "/api/v1/categories/?code_system=%00",
    "/api/v1/departments/%00/",
    "/api/v1/locations/?q=%00",
    "/api/v1/users/%00/",
    "/api/v1/projects/%00/",
    "/api/v1/labels/templates/%00/",
    "/api/v1/assets/export.csv?q=%00",
    "/api/v1/assets/?%00=1",
]

PAGE_GETS = [
    "/assets/%00/",
    "/?q=%00",
    "/?owner_department=%00",
    "/a/%00",
    "/a/YK2025000001?l=%00",
    "/stocktakes/{campaign}/lines?result=%00",
    "/handovers/?state=%00",
    "/labels/?q=%00",
    "/accounts/login/?next=%00",
]


def _url(template, world):
    return template.format(campaign=world["campaign"].pk)


@pytest.mark.parametrize("url", API_GETS)
def test_api_get_with_nul_is_a_json_400(world, admin_user, url):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.get(_url(url, world))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "nul_character"
    assert response.json()["detail"]


@pytest.mark.parametrize("url", PAGE_GETS)
def test_page_with_nul_is_a_400_page(world, admin_user, url):
    client = Client()
    client.force_login(admin_user)
    response = client.get(_url(url, world))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "NUL" in page
    assert 'class="site-header"' in page


def test_api_answers_in_the_users_language(world, admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    chinese = api.get("/api/v1/assets/?q=%00", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    english = api.get("/api/v1/assets/?q=%00", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert chinese != english
    assert "NUL" in english and "NUL" in chinese


def test_json_body_with_nul_is_refused_and_nothing_changes(world, clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    tag = world["asset"].tag
    response = api.patch(f"/api/v1/assets/{tag}/", {"name": "交换\u0000机"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    nested = api.post(
        f"/api/v1/stocktakes/{world['campaign'].pk}/scans/",
        [{"code": tag}, {"code": "x", "location": "R\u0000"}],
        format="json",
    )
    assert nested.status_code == 400
    key = api.generic(
        "POST",
        "/api/v1/assets/",
        json.dumps({"na\u0000me": "x"}),
        content_type="application/json",
    )
    assert key.status_code == 400
    assert Asset.objects.get(tag=tag).name == "交换机"


def test_escaped_backslash_is_not_a_nul(world, clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    tag = world["asset"].tag
    response = api.patch(f"/api/v1/assets/{tag}/", {"name": "a\\u0000b"}, format="json")
    assert response.status_code == 200, response.content
    assert Asset.objects.get(tag=tag).name == "a\\u0000b"


def test_form_post_with_nul_is_refused(world, clerk):
    client = Client()
    client.force_login(clerk)
    tag = world["asset"].tag
    response = client.post(f"/assets/{tag}/edit/", {"name": "交换\x00机"})
    assert response.status_code == 400
    assert Asset.objects.get(tag=tag).name == "交换机"


def test_sign_in_with_nul_is_refused(world, clerk):
    client = Client()
    response = client.post("/accounts/login/", {"username": "clerk\x00", "password": "x"})
    assert response.status_code == 400
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "clerk\x00", "password": "x"}, format="json"
    )
    assert token.status_code == 400
    assert token.json()["code"] == "nul_character"


def test_multipart_field_with_nul_is_refused(world, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = APIClient()
    api.force_authenticate(clerk)
    upload = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04", content_type="application/zip")
    response = api.post(
        "/api/v1/imports/", {"file": upload, "mapping": '{"\x00": 1}'}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_cookie_with_nul_is_refused(world):
    client = Client()
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/accounts/login/").status_code == 400


# Every API error is JSON: an unknown route and an exception inside a view.


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/boom/", _boom),
    path("boom/", _boom),
]
# The project's own handlers, as config.urls declares them.
handler500 = config_urls.handler500


def test_unknown_api_route_is_a_json_404(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls("tests.security.test_nul_bytes")
def test_api_500_is_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"


@pytest.mark.urls("tests.security.test_nul_bytes")
def test_page_500_is_the_sites_page_without_navigation():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert "site-nav" not in page
    assert "500" in page
