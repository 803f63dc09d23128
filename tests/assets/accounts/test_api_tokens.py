"""Named, scoped, expiring API tokens (issue 20, "API tokens a bureau can manage"; DESIGN.md
contract row `API tokens`)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assets import credentials
from assets.models import ApiToken
from tests.api_base import AnonymousTests, CreateTests, ListTests, RetrieveTests, ScopeTests
from tests.factories import make_asset, make_campaign

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"
ASSETS = "/api/v1/assets/"
PASSWORD = "pass-word-123"


def bearer(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


class TestApiTokenAPI(ListTests, RetrieveTests, CreateTests, AnonymousTests, ScopeTests):
    basename = "token"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    scoped_reader = "clerk"
    create_data = {"name": "盘点 PDA 1", "scope": "scan"}

    def make_object(self, request):
        return credentials.create_token(user=request.getfixturevalue("clerk"), name="桌面")[0]

    def make_other_object(self, request):
        other = request.getfixturevalue("other_clerk")
        return credentials.create_token(user=other, name="别人的")[0]

    def write(self, client, obj):
        return client.delete(self.detail_url(obj))


def session_client(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_creation_shows_the_key_once_and_the_list_never(clerk):
    client = session_client(clerk)
    response = client.post(TOKENS, {"name": "PDA", "scope": "read"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == "read" and body["name"] == "PDA" and body["last_used_at"] is None
    assert len(body["key"]) == 40 and body["key"].startswith(body["prefix"])
    listed = client.get(TOKENS).json()["results"]
    assert [row["name"] for row in listed] == ["PDA"]
    assert "key" not in listed[0]
    assert "key" not in client.get(f"{TOKENS}{body['id']}/").json()
    assert bearer(body["key"]).get(ASSETS).status_code == 200


def test_default_expiry_and_the_limit(clerk, settings):
    settings.YIKA_TOKEN_DAYS, settings.YIKA_TOKEN_MAX_DAYS = 90, 366
    client = session_client(clerk)
    body = client.post(TOKENS, {"name": "a"}, format="json").json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.scope == "full"
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    too_late = (timezone.now() + timedelta(days=400)).isoformat()
    response = client.post(TOKENS, {"name": "b", "expires_at": too_late}, format="json")
    assert response.status_code == 400
    assert "expires_at" in response.json()
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    assert client.post(TOKENS, {"name": "c", "expires_at": past}, format="json").status_code == 400
    bad = client.post(TOKENS, {"name": "d", "scope": "root"}, format="json")
    assert bad.status_code == 400 and "scope" in bad.json()
    assert ApiToken.objects.filter(user=clerk).count() == 1


def test_sign_in_token_is_full_with_the_default_expiry(clerk, settings):
    settings.YIKA_TOKEN_DAYS = 10
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": clerk.username, "password": PASSWORD}, format="json"
    )
    assert list(response.json()) == ["token"]
    token = ApiToken.objects.get(user=clerk)
    assert token.scope == "full" and token.name == ""
    assert token.expires_at - token.created_at == timedelta(days=10)


def test_an_expired_token_is_refused_and_dropped(clerk):
    token, key = credentials.create_token(user=clerk, name="old")
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    response = bearer(key).get(ASSETS)
    assert response.status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_read_token_reads_but_never_writes(clerk, centre):
    asset = make_asset(owner=centre, actor=clerk, name="旧名")
    key = credentials.create_token(user=clerk, name="r", scope="read")[1]
    client = bearer(key)
    assert client.get(ASSETS).status_code == 200
    response = client.patch(f"{ASSETS}{asset.tag}/", {"name": "新名"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "token_scope"
    asset.refresh_from_db()
    assert asset.name == "旧名"
    # It may still revoke itself.
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get(ASSETS).status_code == 401


def test_a_scan_token_scans_and_does_nothing_else(clerk, centre):
    asset = make_asset(owner=centre, actor=clerk, name="PDA 盘点的")
    campaign = make_campaign(actor=clerk, departments=[centre]).pk
    scan_key = credentials.create_token(user=clerk, name="PDA", scope="scan")[1]
    client = bearer(scan_key)
    response = client.post(
        f"/api/v1/stocktakes/{campaign}/scans/", {"code": asset.tag}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["answer"] == "found"
    refused = client.patch(f"{ASSETS}{asset.tag}/", {"name": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "token_scope"
    closed = client.post(f"/api/v1/stocktakes/{campaign}/close/", {}, format="json")
    assert closed.status_code == 403
    created = client.post(TOKENS, {"name": "more"}, format="json")
    assert created.status_code == 403


def test_a_full_token_cannot_mint_tokens(clerk):
    key = credentials.issue_token(user=clerk)
    response = bearer(key).post(TOKENS, {"name": "successor"}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=clerk).count() == 1


def test_revoking_a_token_ends_it_and_only_it(clerk):
    one, key_one = credentials.create_token(user=clerk, name="one")
    _two, key_two = credentials.create_token(user=clerk, name="two")
    client = session_client(clerk)
    assert client.delete(reverse("token-detail", args=[one.pk])).status_code == 204
    assert bearer(key_one).get(ASSETS).status_code == 401
    assert bearer(key_two).get(ASSETS).status_code == 200


def test_another_users_token_cannot_be_revoked(clerk, other_clerk):
    theirs, key = credentials.create_token(user=other_clerk, name="theirs")
    response = session_client(clerk).delete(reverse("token-detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert bearer(key).get(ASSETS).status_code == 200
