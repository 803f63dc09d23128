"""The register's `?q=` search and tree filters (selectors.filter_assets, assets/api/filters.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assets import selectors
from assets.models import Asset, Location
from tests.factories import DepartmentFactory, LocationFactory, make_asset

pytestmark = pytest.mark.django_db


def listed(user, **params) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(reverse("asset-list"), params)
    assert response.status_code == 200, response.content
    return [row["tag"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("field", "value", "q"),
    [
        ("name", "政务服务自助终端", "自助终端"),
        ("model", "NF5280M6", "5280m"),
        ("serial_number", "SN-2024-0042", "2024-004"),
        ("legacy_number", "ZC-2019-1234", "zc-2019"),
        ("custodian", "欧阳小明", "阳小明"),
    ],
)
def test_search_finds_any_part_of_each_searched_field(clerk, centre, field, value, q):
    card = make_asset(owner=centre, **{field: value})
    make_asset(owner=centre, name="交换机")
    assert listed(clerk, q=q) == [card.tag]


def test_short_search_matches_the_start_of_the_custodian_or_name(clerk, centre):
    """One or two characters (no trigram): the start of the custodian or the name, or the tag."""
    wang_wei = make_asset(owner=centre, name="打印机", custodian="王伟")
    wang_wei_ming = make_asset(owner=centre, name="打印机", custodian="王伟明")
    li_wang_wei = make_asset(owner=centre, name="打印机", custodian="李王伟")
    wang_fang = make_asset(owner=centre, name="打印机", custodian="王芳")
    desktop = make_asset(owner=centre, name="台式计算机", custodian="张三")
    laptop = make_asset(owner=centre, name="联想台式机", custodian="张三", model="王伟")
    assert listed(clerk, q="王伟") == sorted([wang_wei.tag, wang_wei_ming.tag])
    assert listed(clerk, q=" 台 ") == [desktop.tag]
    assert listed(clerk, q="王") == sorted([wang_wei.tag, wang_wei_ming.tag, wang_fang.tag])
    assert listed(clerk, q="张三") == sorted([desktop.tag, laptop.tag])
    printers = [wang_wei.tag, wang_wei_ming.tag, li_wang_wei.tag, wang_fang.tag]
    assert listed(clerk, q="打") == sorted(printers)
    laser = make_asset(owner=centre, name="hp LaserJet", custodian="赵六")
    assert listed(clerk, q="HP") == [laser.tag]


def test_short_search_is_served_by_the_prefix_indexes(clerk, centre):
    """Migration 0023's indexes are built on the SQL `istartswith` writes; if the two drift
    apart, PostgreSQL silently falls back to reading every card."""
    make_asset(owner=centre, custodian="王伟")
    queryset = selectors.filter_assets(Asset.objects.all(), {"q": "王伟"})
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    assert "asset_custodian_prefix" in plan and "asset_name_prefix" in plan, plan


def test_search_finds_part_of_the_tag(clerk, centre):
    card = make_asset(owner=centre)
    make_asset(owner=centre)
    assert listed(clerk, q=card.tag[-6:].lower()) == [card.tag]


def test_search_never_matches_across_two_fields(clerk, centre):
    make_asset(owner=centre, name="ABC", model="DEF")
    assert listed(clerk, q="CDE") == []


def test_separator_typed_into_the_search_does_not_join_fields(clerk, centre):
    make_asset(owner=centre, name="ABC", model="DEF")
    assert listed(clerk, q=f"ABC{selectors.SEARCH_SEPARATOR}DEF") == []


@pytest.mark.parametrize("field", ["serial_number", "legacy_number"])
def test_exact_number_comes_first_then_tag_order(clerk, centre, field):
    longer = make_asset(owner=centre, **{field: "X-100-1"})
    longest = make_asset(owner=centre, **{field: "X-100-22"})
    exact = make_asset(owner=centre, **{field: "X-100"})
    assert listed(clerk, q="x-100") == [exact.tag, longer.tag, longest.tag]


def test_exact_tag_comes_first(clerk, centre):
    card = make_asset(owner=centre)
    other = make_asset(owner=centre)
    # A card that mentions the tag in another field, and would sort first by tag alone.
    Asset.objects.filter(pk=other.pk).update(legacy_number=f"OLD-{card.tag}", tag="A" + other.tag)
    assert listed(clerk, q=card.tag.lower()) == [card.tag, "A" + other.tag]


def test_search_stays_within_the_users_scope(clerk, centre, other_bureau):
    mine = make_asset(owner=centre, name="服务器")
    make_asset(owner=other_bureau, name="服务器")
    assert listed(clerk, q="服务器") == [mine.tag]


def test_department_filter_takes_its_sub_departments(admin_user, bureau, centre, other_bureau):
    office = DepartmentFactory(code="BDC-OPS", name="运维处", parent=centre)
    in_centre = make_asset(owner=centre)
    in_office = make_asset(owner=office)
    make_asset(owner=bureau)
    make_asset(owner=other_bureau)
    assert listed(admin_user, owner_department="BDC") == [in_centre.tag, in_office.tag]
    assert listed(admin_user, using_department="BDC") == []


def test_unknown_department_filter_lists_nothing(admin_user, centre):
    make_asset(owner=centre)
    assert listed(admin_user, owner_department="NOPE") == []


def test_location_filter_takes_the_rooms_below(admin_user, centre):
    floor = LocationFactory(code="HQ-F3", name="三层", kind=Location.Kind.FLOOR)
    room = LocationFactory(code="HQ-F3-301", name="301 机房", parent=floor)
    on_floor = make_asset(owner=centre, location=floor)
    in_room = make_asset(owner=centre, location=room)
    make_asset(owner=centre, location=LocationFactory(code="HQ-F4"))
    assert listed(admin_user, location="HQ-F3") == [on_floor.tag, in_room.tag]
    assert listed(admin_user, location="HQ-F3-301") == [in_room.tag]


def test_category_filter_takes_the_leaves_below(admin_user, centre):
    desktop = make_asset(owner=centre, category_code="A02010105")
    make_asset(owner=centre, category_code="A02010300")
    assert listed(admin_user, category="A02010100") == [desktop.tag]
    assert listed(admin_user, category="A02010105") == [desktop.tag]


def test_search_is_served_by_the_one_trigram_index(clerk, centre):
    """The index of migration 0007 is built on the SQL `AssetSearchText` compiles to; if the two
    drift apart, PostgreSQL silently falls back to reading every card."""
    make_asset(owner=centre, serial_number="SN-2024-0042")
    queryset = selectors.filter_assets(Asset.objects.all(), {"q": "2024-004"})
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "asset_search_trgm" in queryset.explain()


def search_page(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(reverse("asset-list"), params)


def test_searched_pages_give_the_total_and_every_match_once(clerk, centre):
    matches = {make_asset(owner=centre, name=f"自助终端{i}").tag for i in range(5)}
    make_asset(owner=centre, name="交换机")
    first = search_page(clerk, q="自助终端", page_size=2).json()
    second = search_page(clerk, q="自助终端", page_size=2, page=2).json()
    third = search_page(clerk, q="自助终端", page_size=2, page=3).json()
    assert (first["count"], second["count"], third["count"]) == (5, 5, 5)
    pages = [first, second, third]
    assert sorted(row["tag"] for page in pages for row in page["results"]) == sorted(matches)
    assert third["next"] is None and first["previous"] is None


def test_searched_page_past_the_end_is_not_found(clerk, centre):
    make_asset(owner=centre, name="自助终端")
    assert search_page(clerk, q="自助终端", page=2).status_code == 404


def test_search_without_matches_is_an_empty_first_page(clerk, centre):
    make_asset(owner=centre, name="交换机")
    body = search_page(clerk, q="不存在的设备").json()
    assert (body["count"], body["results"]) == (0, [])


def test_searched_list_counts_in_its_page_query(clerk, centre):
    """The total comes from the page query, so a search runs once, not twice (a COUNT first)."""
    make_asset(owner=centre, name="自助终端")
    client = APIClient()
    client.force_authenticate(clerk)
    client.get(reverse("asset-list"), {"q": "自助终端"})  # warm the user's per-request caches
    with CaptureQueriesContext(connection) as searched:
        client.get(reverse("asset-list"), {"q": "自助终端"})
    assert not any("COUNT(*) AS" in query["sql"] for query in searched.captured_queries)
    assert any("COUNT(*) OVER ()" in query["sql"] for query in searched.captured_queries)
