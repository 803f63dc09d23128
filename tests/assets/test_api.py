"""The register API: reference data, users, assets and their actions (DESIGN.md contract)."""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from assets import tags
from assets.models import Asset, AssetEvent, Department, Location, User
from tests.api_base import (
    AnonymousTests,
    APITestBase,
    CreateTests,
    EventTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    UpdateTests,
    WrongRoleTests,
)
from tests.factories import DepartmentFactory, LocationFactory, UserFactory, make_asset

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- viewsets on the generic base ----------------------------------------------------------
class TestDepartmentAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests
):
    basename = "department"
    lookup = "code"
    reader = "clerk"
    writer = "admin_user"
    wrong_role = "clerk"
    create_data = {"code": "JYJ", "name": "市教育局", "kind": "bureau"}
    update_data = {"contact": "0571-88880000"}

    def make_object(self, request):
        return request.getfixturevalue("centre")


class TestLocationAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests
):
    basename = "location"
    lookup = "code"
    writer = "admin_user"
    wrong_role = "auditor"
    update_data = {"name": "302 机房"}

    def make_object(self, request):
        return LocationFactory(code="HQ-301", name="301 机房")

    def get_create_data(self, request):
        parent = LocationFactory(code="HQ-F3", name="三层", kind="floor")
        return {"code": "HQ-F3-302", "name": "302 机房", "kind": "room", "parent": parent.code}


class TestCategoryAPI(ListTests, RetrieveTests, AnonymousTests, WrongRoleTests):
    basename = "category"
    lookup = "code"
    wrong_role = "clerk"
    create_data = {"code": "A99999999", "name": "x"}
    update_data = {"name": "x"}

    def make_object(self, request):
        from tests.factories import leaf_category

        return leaf_category("A02010104")

    def test_admin_cannot_write_categories_through_the_api(self, request):
        client = self.client_for(request, "admin_user")
        assert client.post(self.list_url(), self.create_data).status_code == 405


class TestUserAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests
):
    basename = "user"
    lookup = "username"
    reader = "admin_user"
    writer = "admin_user"
    wrong_role = "clerk"
    update_data = {"email": "new@example.org"}

    def make_object(self, request):
        return request.getfixturevalue("clerk")

    def get_create_data(self, request):
        centre = request.getfixturevalue("centre")
        return {
            "username": "newclerk",
            "password": "a-long-pass-word",
            "department": centre.code,
            "roles": ["clerk"],
        }

    @pytest.mark.parametrize("role", ["clerk", "auditor", "receiver"])
    def test_only_admins_list_users(self, request, role):
        assert self.client_for(request, role).get(self.list_url()).status_code == 403

    def test_created_user_gets_department_and_role(self, request):
        self.client_for(request, "admin_user").post(
            self.list_url(), self.get_create_data(request), format="json"
        )
        user = User.objects.get(username="newclerk")
        assert user.department.code == "BDC"
        assert list(user.groups.values_list("name", flat=True)) == ["clerk"]
        assert user.check_password("a-long-pass-word")

    def test_password_is_never_returned(self, request):
        response = self.client_for(request, "admin_user").get(
            self.detail_url(request.getfixturevalue("clerk"))
        )
        assert "password" not in response.json()

    def test_is_staff_and_superuser_cannot_be_written(self, request):
        clerk = request.getfixturevalue("clerk")
        self.client_for(request, "admin_user").patch(
            self.detail_url(clerk), {"is_superuser": True, "is_staff": True}, format="json"
        )
        clerk.refresh_from_db()
        assert not clerk.is_superuser and not clerk.is_staff


class AssetAPIBase:
    basename = "asset"
    lookup = "tag"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    update_data = {"custodian": "张三", "model": "R4900 G5"}

    def make_object(self, request):
        return make_asset(owner=request.getfixturevalue("centre"), name="服务器")

    def make_other_object(self, request):
        return make_asset(owner=request.getfixturevalue("other_bureau"), name="卫健委服务器")

    def get_create_data(self, request):
        request.getfixturevalue("centre")
        LocationFactory(code="HQ-301-A01", name="A01 机柜", kind="rack")
        return {
            "name": "机架式服务器",
            "category": "A02010104",
            "owner_department": "BDC",
            "location": "HQ-301-A01",
            "original_value": "98000.00",
            "status": "in_use",
        }

    def events_of(self, obj):
        return AssetEvent.objects.filter(asset=obj)

    def find(self, tag):
        return Asset.objects.get(tag=tag)


class TestAssetAPI(
    AssetAPIBase,
    ListTests,
    RetrieveTests,
    CreateTests,
    UpdateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
    EventTests,
):
    """Assets on the generic base; their actions and rules follow below."""


class TestAssetAPIReceiver(AssetAPIBase, WrongRoleTests):
    """Receivers read what their department holds but change no card."""

    wrong_role = "receiver"
    writer = "admin_user"


# --- asset actions -------------------------------------------------------------------------
@pytest.fixture
def host(centre):
    LocationFactory(code="HQ-301", name="301 机房")
    return make_asset(
        owner=centre, name="政务服务自助终端", location=Location.objects.get(code="HQ-301")
    )


@pytest.fixture
def device(centre):
    return make_asset(owner=centre, name="终端接入设备", category_code="A02010300")


def url(name, asset, **kw):
    return reverse(f"asset-{name}", kwargs={"tag": asset.tag, **kw})


def test_nest_puts_device_into_host_and_takes_its_location(clerk, host, device):
    response = as_user(clerk).post(
        url("nest", device), {"parent": host.tag, "embedded": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == host.tag
    assert response.json()["embedded"] is True
    assert response.json()["location"] == "HQ-301"
    assert host.events.filter(kind="nested").count() == 1


def test_nest_into_another_departments_host_names_it_unknown(clerk, device, other_bureau):
    foreign = make_asset(owner=other_bureau)
    response = as_user(clerk).post(url("nest", device), {"parent": foreign.tag}, format="json")
    assert response.status_code == 400
    assert foreign.tag in response.json()["parent"][0]


def test_nest_cycle_is_400_and_changes_nothing(clerk, host, device):
    as_user(clerk).post(url("nest", device), {"parent": host.tag, "embedded": True}, format="json")
    response = as_user(clerk).post(url("nest", host), {"parent": device.tag}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()
    host.refresh_from_db()
    assert host.parent_id is None


def test_components_returns_the_whole_subtree(clerk, host, centre):
    child = make_asset(owner=centre, parent=host, embedded=True, name="终端接入设备")
    grandchild = make_asset(owner=centre, parent=child, embedded=True, name="密码模块")
    response = as_user(clerk).get(url("components", host))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["tag"], r["parent"], r["depth"]) for r in rows] == [
        (child.tag, host.tag, 1),
        (grandchild.tag, child.tag, 2),
    ]


def test_components_rows_match_the_component_serializer(clerk, host, centre):
    """The subtree's fast path writes the same JSON as `ComponentSerializer` (the schema's)."""
    from assets import selectors
    from assets.api.serializers import ComponentSerializer

    child = make_asset(owner=centre, parent=host, embedded=True, name="终端接入设备")
    make_asset(owner=centre, parent=child, embedded=True, name="密码模块", serial_number="M-1")
    make_asset(owner=centre, parent=host, name="显示器", location=None)
    nodes = selectors.asset_subtree(asset=host)
    tag_by_id = {host.pk: host.tag, **{node.pk: node.tag for node in nodes}}
    for node in nodes:
        node.parent_tag = tag_by_id[node.parent_id]
    response = as_user(clerk).get(url("components", host))
    assert response.json() == ComponentSerializer(nodes, many=True).data
    assert {row["embedded"] for row in response.json()} == {True, False}


def test_move_takes_embedded_components_along(clerk, host, centre):
    child = make_asset(owner=centre, parent=host, embedded=True, name="终端接入设备")
    LocationFactory(code="HQ-302", name="302 机房")
    response = as_user(clerk).post(url("move", host), {"location": "HQ-302"}, format="json")
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert child.location.code == "HQ-302"
    assert child.events.filter(kind="moved").count() == 1


def test_retire_host_with_components_is_refused_by_default(clerk, host, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    make_asset(owner=centre, parent=host, embedded=True, name="终端接入设备")
    response = as_user(clerk).post(url("retire", host), {"reason": "报废"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "host_has_components"
    host.refresh_from_db()
    assert host.status == "in_use"


def test_retire_with_detach_keeps_components_live(clerk, host, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    child = make_asset(owner=centre, parent=host, embedded=True, name="终端接入设备")
    response = as_user(clerk).post(
        url("retire", host), {"reason": "报废", "components": "detach"}, format="json"
    )
    assert response.status_code == 200
    child.refresh_from_db()
    assert (child.parent_id, child.status) == (None, "in_use")


def test_status_action_follows_the_state_machine(clerk, host):
    client = as_user(clerk)
    assert client.post(url("change-status", host), {"status": "idle"}).status_code == 200
    response = client.post(url("change-status", host), {"status": "draft"})
    assert response.status_code == 409
    host.refresh_from_db()
    assert host.status == "idle"


def test_events_are_newest_first(clerk, host):
    as_user(clerk).post(url("change-status", host), {"status": "idle"})
    response = as_user(clerk).get(url("events", host))
    kinds = [row["kind"] for row in response.json()["results"]]
    assert kinds == ["status_changed", "created"]


def test_events_of_another_departments_card_are_404(clerk, other_bureau):
    foreign = make_asset(owner=other_bureau)
    assert as_user(clerk).get(url("events", foreign)).status_code == 404


def test_auditor_may_read_any_card_but_no_action(auditor, other_bureau):
    foreign = make_asset(owner=other_bureau)
    client = as_user(auditor)
    assert client.get(url("detail", foreign)).status_code == 200
    for action, data in [
        ("nest", {"parent": None}),
        ("move", {"location": "X"}),
        ("retire", {"reason": "x"}),
        ("change-status", {"status": "idle"}),
    ]:
        assert client.post(url(action, foreign), data, format="json").status_code == 403
    assert foreign.events.count() == 1


def test_lowercase_tag_finds_the_card(clerk, host):
    assert (
        as_user(clerk).get(url("detail", host).replace(host.tag, host.tag.lower())).status_code
        == 200
    )


# --- bad input ---------------------------------------------------------------------------------
def create(client, **overrides):
    data = {
        "name": "机架式服务器",
        "category": "A02010104",
        "owner_department": "BDC",
        "original_value": "1000.00",
        **overrides,
    }
    return client.post(reverse("asset-list"), data, format="json")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "A09999999"),
        ("owner_department", "NOPE"),
        ("using_department", "NOPE2"),
        ("location", "NOWHERE-1"),
        ("parent", "YK20240000009"),
        ("custodian_user", "ghost"),
    ],
)
def test_unknown_reference_is_400_naming_it(clerk, field, value):
    response = create(as_user(clerk), **{field: value})
    assert response.status_code == 400
    assert value in response.json()[field][0]
    assert not Asset.objects.exists()


def test_unknown_category_message_is_chinese_by_default(clerk):
    response = create(as_user(clerk), category="A09999999")
    assert "未知" in response.json()["category"][0] or "不存在" in response.json()["category"][0]


def test_unknown_category_message_is_english_on_request(clerk):
    client = as_user(clerk)
    response = client.post(
        reverse("asset-list"),
        {"name": "x", "category": "A09999999", "owner_department": "BDC"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["category"] == ["Unknown category code “A09999999” (GB/T 14885-2022)."]


def test_group_category_is_refused(clerk):
    response = create(as_user(clerk), category="A02010100")
    assert response.status_code == 400
    assert "A02010100" in response.json()["category"][0]


def test_negative_value_is_400(clerk):
    response = create(as_user(clerk), original_value="-1")
    assert response.status_code == 400
    assert "original_value" in response.json()


def test_owner_outside_the_clerks_scope_is_400(clerk, other_bureau):
    response = create(as_user(clerk), owner_department=other_bureau.code)
    assert response.status_code == 400
    assert "owner_department" in response.json()
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "action"),
    [
        ("status", "idle", "status"),
        ("parent", None, "nest"),
        ("owner_department", "HEALTH", "handover"),
        ("location", "HQ-301", "move"),
    ],
)
def test_patch_of_an_action_field_is_400_naming_the_action(
    clerk, host, other_bureau, field, value, action
):
    response = as_user(clerk).patch(
        url("detail", host), {field: value, "name": "改名"}, format="json"
    )
    assert response.status_code == 400
    assert action in response.json()[field][0]
    host.refresh_from_db()
    assert host.name == "政务服务自助终端"
    assert host.events.count() == 1


def test_patch_of_the_tag_is_400(clerk, host):
    response = as_user(clerk).patch(url("detail", host), {"tag": "YK20240000017"}, format="json")
    assert response.status_code == 400
    assert "tag" in response.json()


def test_wrong_check_character_in_a_tag_says_so(clerk, host):
    body = host.tag[:-1]
    wrong = body + ("A" if host.tag[-1] != "A" else "B")
    response = as_user(clerk).get(url("detail", host).replace(host.tag, wrong))
    assert response.status_code == 404
    with pytest.raises(tags.TagError):
        tags.validate_tag(wrong)


def test_malformed_json_is_400_not_500(clerk):
    response = as_user(clerk).generic(
        "POST", reverse("asset-list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


# --- query ceilings ------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [3, 30])
def test_asset_list_query_count_is_constant(clerk, centre, django_assert_max_num_queries, rows):
    LocationFactory(code="HQ-301", name="301 机房")
    host = make_asset(owner=centre, location=Location.objects.get(code="HQ-301"))
    for n in range(rows - 1):
        make_asset(
            owner=centre, parent=host if n % 2 else None, name=f"设备{n}", custodian_user=clerk
        )
    client = as_user(clerk)
    # count, page, and one prefetch per related kind shown in a row (at most 8)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("asset-list"), {"q": "设备", "status": "in_use"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_subtree_query_count_is_constant(clerk, centre, django_assert_max_num_queries, rows):
    host = make_asset(owner=centre)
    parent = host
    for n in range(rows):
        parent = make_asset(owner=centre, parent=parent if n % 3 else host, embedded=True)
    client = as_user(clerk)
    # the host (with its list prefetches) and two for the subtree, whatever its size
    with django_assert_max_num_queries(12):
        response = client.get(url("components", host))
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_asset_list_page_query_count_is_constant(
    client, clerk, centre, django_assert_max_num_queries, rows
):
    for n in range(rows):
        make_asset(owner=centre, name=f"设备{n}")
    client.force_login(clerk)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("assets:asset-list"))
    assert response.status_code == 200


# --- auth, schema ----------------------------------------------------------------------------
class TestTokenAPI(APITestBase):
    """`POST /api/v1/auth/token/` issues a token; `DELETE` with it revokes it. Expiry, password
    changes and lockout: tests/security/test_tokens.py and test_accounts.py."""

    url_names = ("api-token",)

    def test_token_auth(self, clerk):
        client = APIClient()
        response = client.post(
            reverse("api-token"), {"username": "clerk", "password": "pass-word-123"}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(reverse("asset-list")).status_code == 200

    def test_token_with_wrong_password_is_400(self, clerk):
        response = APIClient().post(
            reverse("api-token"), {"username": "clerk", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400

    def test_anonymous_revoke_is_401(self, request):
        assert self.client_for(request, None).delete(reverse("api-token")).status_code == 401

    def test_a_revoked_token_no_longer_signs_in(self, clerk):
        client = APIClient()
        response = client.post(
            reverse("api-token"), {"username": "clerk", "password": "pass-word-123"}, format="json"
        )
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert client.delete(reverse("api-token")).status_code == 204
        assert client.get(reverse("asset-list")).status_code == 401


def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/assets/{tag}/nest/" in out.read_text()


def test_schema_endpoint_answers(clerk):
    response = as_user(clerk).get(reverse("schema"))
    assert response.status_code == 200


# --- concurrency (PostgreSQL) --------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_registrations_get_unique_tags():
    from django.contrib.auth.models import Group  # noqa: F401  (groups come from migrations)

    centre = DepartmentFactory(code="BDC", name="市大数据中心", kind="centre")
    clerk = UserFactory(username="pgclerk", department=centre, roles=["clerk"])
    results, errors = [], []
    barrier = threading.Barrier(20)

    def work():
        try:
            client = as_user(clerk)
            barrier.wait()
            response = create(client, original_value=str(Decimal("100.00")))
            results.append((response.status_code, response.json().get("tag")))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [status for status, _ in results] == [201] * 20
    assert len({tag for _, tag in results}) == 20
    assert Asset.objects.count() == 20
    assert Department.objects.count() >= 1


def test_a_future_acquisition_date_is_400_naming_the_field(clerk, host):
    """14.19: the API refuses what the form and the import refuse (one rule, in services)."""
    response = create(as_user(clerk), acquired_on="2030-01-01")
    assert response.status_code == 400
    assert "2030-01-01" in response.json()["acquired_on"][0]
    patch = as_user(clerk).patch(url("detail", host), {"acquired_on": "2031-02-03"}, format="json")
    assert patch.status_code == 400
    assert "acquired_on" in patch.json()
    host.refresh_from_db()
    assert host.acquired_on is None or host.acquired_on.year < 2030


# --- the card lookup (what a phone asks after reading a label; issue 21) --------------------
def test_card_answer_equals_its_list_row_in_one_query_after_the_scope(
    centre, other_bureau, clerk, project
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    host = make_asset(owner=centre, location=LocationFactory(code="R-1"))
    card = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        using_department=centre,
        managing_department=centre,
        project=project,
        custodian_user=clerk,
    )
    # A component of another department's host: the host is not named (parent_hidden).
    hidden_host = make_asset(owner=other_bureau)
    outsider = make_asset(owner=other_bureau, using_department=centre, parent=hidden_host)
    client = as_user(clerk)
    rows = {row["tag"]: row for row in client.get(reverse("asset-list")).json()["results"]}
    for asset in (host, card, outsider):
        url = reverse("asset-detail", args=[asset.tag])
        client.get(url)  # the user's roles and scope are then read once per request
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url).json()
        assert answer == rows[asset.tag]
        card_queries = [q for q in queries.captured_queries if '"assets_asset"' in q["sql"]]
        assert len(card_queries) == 1, [q["sql"] for q in card_queries]
    assert rows[card.tag]["project"] == project.code
    assert rows[card.tag]["custodian_user"] == clerk.username
    assert rows[card.tag]["parent"] == host.tag
    assert rows[outsider.tag]["parent"] is None and rows[outsider.tag]["parent_hidden"] is True


# --- keyset pages (`?cursor=`) beside numbered pages (`?page=`) -----------------------------
def test_cursor_pages_walk_the_same_cards_as_numbered_pages_and_back(centre, clerk):
    for n in range(7):
        make_asset(owner=centre, name=f"设备{n}")
    client = as_user(clerk)
    url = reverse("asset-list")
    numbered, page = [], client.get(url, {"page_size": 3}).json()
    assert page["count"] == 7  # `page` keeps the contract's answer, with its count
    while True:
        numbered += [row["tag"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    walked, pages = [], [client.get(url, {"page_size": 3, "cursor": ""}).json()]
    while True:
        assert "count" not in pages[-1]
        walked += [row["tag"] for row in pages[-1]["results"]]
        if not pages[-1]["next"]:
            break
        assert "cursor=" in pages[-1]["next"]
        pages.append(client.get(pages[-1]["next"]).json())
    assert walked == numbered == sorted(numbered)
    assert len(pages) == 3
    back = client.get(pages[-1]["previous"]).json()
    assert [row["tag"] for row in back["results"]] == [row["tag"] for row in pages[1]["results"]]


def test_cursor_pages_keep_the_filters_and_the_scope(centre, other_bureau, clerk):
    mine = make_asset(owner=centre, name="交换机")
    make_asset(owner=centre, name="打印机")
    make_asset(owner=other_bureau, name="交换机")
    answer = as_user(clerk).get(reverse("asset-list"), {"cursor": "", "q": "交换机"}).json()
    assert [row["tag"] for row in answer["results"]] == [mine.tag]


def test_a_cursor_the_list_never_gave_is_a_400_naming_it(clerk):
    response = as_user(clerk).get(reverse("asset-list"), {"cursor": "bz14"})  # "o=x"
    assert response.status_code == 400
    assert "游标" in response.json()["cursor"][0]
    english = as_user(clerk).get(
        reverse("asset-list"), {"cursor": "garbage!"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json() == {"cursor": ["This cursor is not one this list gave out."]}
