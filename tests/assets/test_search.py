"""The register's `?q=` search and tree filters (selectors.filter_assets, assets/api/filters.py)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
        ("name", "政务服务自助终端", "自助"),
        ("model", "NF5280M6", "5280m"),
        ("serial_number", "SN-2024-0042", "2024-004"),
        ("legacy_number", "ZC-2019-1234", "zc-2019"),
        ("custodian", "王小明", "小明"),
    ],
)
def test_search_finds_any_part_of_each_searched_field(clerk, centre, field, value, q):
    card = make_asset(owner=centre, **{field: value})
    make_asset(owner=centre, name="交换机")
    assert listed(clerk, q=q) == [card.tag]


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


# --- one- and two-character searches (issue 21): `selectors.ShortSearch` over the short grams ---


@pytest.mark.parametrize(
    ("value", "q"),
    [("联想台式机", "台式"), ("联想台式机", "机"), ("王伟", "王伟"), ("NF5280M6", "m6")],
)
def test_short_search_finds_any_part_of_a_field(clerk, centre, value, q):
    card = make_asset(owner=centre, name=value)
    make_asset(owner=centre, name="交换机" if "机" not in q else "路由器")
    assert listed(clerk, q=q) == [card.tag]


def test_short_search_never_matches_across_two_fields(clerk, centre):
    make_asset(owner=centre, name="电脑AB", model="CD")
    assert listed(clerk, q="BC") == []
    assert listed(clerk, q="脑A") != []


def test_short_grams_are_the_upper_case_parts_of_each_field():
    with connection.cursor() as cursor:
        cursor.execute("SELECT yika_short_grams(%s)", ["aB" + selectors.SEARCH_SEPARATOR + "电b"])
        assert sorted(cursor.fetchone()[0]) == ["A", "AB", "B", "电", "电B"]


def test_short_search_is_served_by_the_short_grams_index(clerk, centre):
    """A search with no trigram reads the index of migration 0025, not every card (the query
    must compile to the expression that index is built on)."""
    make_asset(owner=centre, custodian="王伟")
    for q in ("王伟", "伟", "m6"):
        queryset = selectors.filter_assets(Asset.objects.all(), {"q": q})
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        assert "asset_search_short_grams" in plan, plan


def test_scoped_short_search_page_is_served_by_the_short_grams_index(clerk, admin_user, centre):
    """The admin's page (the whole register) is served by the grams index; a clerk's page by an
    index too, the grams or the scope's (on a register this small the planner may take either:
    which is cheaper depends on the tables' statistics, not on the query)."""
    make_asset(owner=centre, custodian="王伟")
    plans = {}
    for user in (clerk, admin_user):
        queryset = selectors.assets_visible_to(user=user, filters={"status": "in_use", "q": "王伟"})
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plans[user] = queryset[:50].explain()
    assert "asset_search_short_grams" in plans[admin_user], plans[admin_user]
    assert "Seq Scan on assets_asset" not in plans[clerk], plans[clerk]


# What the oracle's cards are made of: CJK, ASCII in both cases, digits, LIKE's wildcards and
# escape, a space, letters whose upper case is longer (ß, ﬁ) or another letter (ı, ǅ), and the
# field separator itself (a field may hold it; a search never does).
CARD_CHARACTERS = "王伟电脑台式机联想aAbBzZ019%_\\ ßﬁıǅ" + selectors.SEARCH_SEPARATOR
FIELD = st.text(alphabet=CARD_CHARACTERS, max_size=8)
CARD = st.fixed_dictionaries(
    dict.fromkeys(("name", "model", "serial_number", "legacy_number", "custodian"), FIELD)
)
ORACLE_CARDS = 5


@pytest.fixture
def oracle_cards(centre):
    return [make_asset(owner=centre).pk for _ in range(ORACLE_CARDS)]


def icontains(q: str) -> set[int]:
    """The oracle: the cards whose searched fields hold `q` by Django's `icontains`."""
    return set(
        Asset.objects.alias(text=selectors.AssetSearchText())
        .filter(text__icontains=q)
        .values_list("pk", flat=True)
    )


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cards=st.lists(CARD, min_size=ORACLE_CARDS, max_size=ORACLE_CARDS),
    tags=st.lists(FIELD, min_size=ORACLE_CARDS, max_size=ORACLE_CARDS),
    data=st.data(),
)
def test_short_search_finds_exactly_what_icontains_finds(oracle_cards, cards, tags, data):
    """For random cards and random one- and two-character searches (drawn from the cards' own
    text, so most of them match something, or at random), `ShortSearch` lists exactly the cards
    `icontains` lists."""
    texts = [
        selectors.SEARCH_SEPARATOR.join([tag, *card.values()])
        for tag, card in zip(tags, cards, strict=True)
    ]
    drawn_from_cards = st.sampled_from(texts).flatmap(
        lambda text: st.integers(0, max(len(text) - 1, 0)).flatmap(
            lambda start: st.integers(1, 2).map(lambda size: text[start : start + size])
        )
    )
    queries = data.draw(
        st.lists(drawn_from_cards | st.text(CARD_CHARACTERS, min_size=1, max_size=2), max_size=8)
    )
    with transaction.atomic():
        for number, (pk, tag, card) in enumerate(zip(oracle_cards, tags, cards, strict=True)):
            Asset.objects.filter(pk=pk).update(tag=f"{number}{tag}", **card)
        for raw in queries:
            q = raw.replace(selectors.SEARCH_SEPARATOR, "").strip()
            if not q or len(q.upper()) > selectors.SHORT_SEARCH_MAX:
                continue
            queryset = selectors.filter_assets(Asset.objects.all(), {"q": raw})
            assert "yika_short_grams" in str(queryset.query)
            assert set(queryset.values_list("pk", flat=True)) == icontains(q), q
        transaction.set_rollback(True)


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
