"""Web pages of the register: what a clerk, auditor or another department sees and may do."""

import pytest
from django.urls import reverse

from assets.models import Asset, AssetEvent
from tests.factories import LocationFactory, leaf_category, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(centre):
    return make_asset(owner=centre, name="核心交换机", model="S5735")


@pytest.fixture
def other_card(other_bureau):
    return make_asset(owner=other_bureau, name="卫健委服务器")


def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("assets:asset-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_renders_with_csrf_token(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_list_shows_own_cards_and_hides_other_departments(client, clerk, card, other_card):
    response = signed_in(client, clerk).get(reverse("assets:asset-list"))
    assert card.tag in response.content.decode()
    assert other_card.tag not in response.content.decode()


def test_list_search_by_name(client, clerk, card, centre):
    other = make_asset(owner=centre, name="办公打印机")
    response = signed_in(client, clerk).get(reverse("assets:asset-list"), {"q": "交换机"})
    body = response.content.decode()
    assert card.tag in body
    assert other.tag not in body


def test_searched_list_pages_to_the_last_and_no_further(client, clerk, centre):
    for n in range(51):
        make_asset(owner=centre, name=f"台式机{n}")
    page = signed_in(client, clerk).get
    last = page(reverse("assets:asset-list"), {"q": "台式机", "page": "last"})
    assert (last.context["page_obj"].number, len(last.context["assets"])) == (2, 1)
    # Walk 2 finding 30: past the end is the last page, saying so, not a 404 "not in your scope".
    beyond = page(reverse("assets:asset-list"), {"q": "台式机", "page": 3})
    assert beyond.status_code == 200 and beyond.context["page_obj"].number == 2
    assert "没有第 3 页：已显示最后一页（第 2 页）。" in beyond.content.decode()


def test_a_page_that_is_no_number_or_past_the_end_is_said_not_a_404(client, clerk, centre):
    make_asset(owner=centre, name="台式机")
    page = signed_in(client, clerk).get
    beyond = page(reverse("assets:asset-list"), {"page": 9999}, HTTP_ACCEPT_LANGUAGE="en")
    assert beyond.status_code == 200
    assert "There is no page 9999: showing the last page, 1." in beyond.content.decode()
    word = page(reverse("assets:asset-list"), {"page": "abc"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (
        word.status_code == 200 and "“abc”不是有效的页码：已显示第一页。" in word.content.decode()
    )
    assert "台式机" in word.content.decode()


def test_an_unknown_filter_value_is_said_and_the_list_is_not_marked_filtered(client, clerk, card):
    page = signed_in(client, clerk).get
    zh = page(reverse("assets:asset-list"), {"status": "bogus"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = zh.content.decode()
    assert "没有“bogus”这一项，已忽略。" in body
    assert "已筛选" not in body and not zh.context["filtered"]
    en = page(reverse("assets:asset-list"), {"status": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Unknown value “bogus” for the filter" in en.content.decode()


def test_list_filters_by_status_and_embedded(client, clerk, card, centre):
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).get(
        reverse("assets:asset-list"), {"embedded": "true", "status": "in_use"}
    )
    assert [asset.tag for asset in response.context["assets"]] == [component.tag]


def test_list_paginates_and_keeps_filters(client, clerk, centre):
    for n in range(51):
        make_asset(owner=centre, name=f"台式机{n}")
    response = signed_in(client, clerk).get(reverse("assets:asset-list"), {"q": "台式机"})
    assert response.context["page_obj"].paginator.num_pages == 2
    assert "q=%E5%8F%B0%E5%BC%8F%E6%9C%BA&amp;page=2" in response.content.decode()


def test_card_page_shows_fields_tree_and_history(client, clerk, card, centre):
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[card.tag]))
    body = response.content.decode()
    assert response.status_code == 200
    assert component.tag in body
    assert "S5735" in body
    assert response.context["net_book_value"] == card.net_book_value()
    assert [row["event"].kind for row in response.context["events"]][-1] == "created"


def test_component_page_shows_its_host_chain(client, clerk, card, centre):
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[component.tag]))
    assert [host.tag for host in response.context["host_chain"]] == [card.tag]


def test_card_tag_is_found_in_lower_case(client, clerk, card):
    response = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[card.tag.lower()]))
    assert response.status_code == 200


def test_another_departments_card_is_not_found(client, clerk, other_card):
    response = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[other_card.tag]))
    assert response.status_code == 404


def test_stored_text_is_escaped_on_the_card_page(client, clerk, centre):
    asset = make_asset(owner=centre, name='<script>alert(1)</script>"><img src=x onerror=y>')
    response = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[asset.tag]))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_auditor_reads_any_card_without_change_buttons(client, auditor, other_card):
    response = signed_in(client, auditor).get(reverse("assets:asset-detail", args=[other_card.tag]))
    assert response.status_code == 200
    assert reverse("assets:asset-update", args=[other_card.tag]) not in response.content.decode()


@pytest.mark.parametrize("route", ["asset-update", "asset-nest", "asset-move", "asset-retire"])
def test_auditor_is_refused_every_change_page(client, auditor, card, route):
    client = signed_in(client, auditor)
    assert client.get(reverse(f"assets:{route}", args=[card.tag])).status_code == 403
    assert client.post(reverse(f"assets:{route}", args=[card.tag]), {}).status_code == 403
    assert AssetEvent.objects.filter(asset=card).count() == 1


def test_auditor_may_not_register(client, auditor):
    assert signed_in(client, auditor).get(reverse("assets:asset-create")).status_code == 403


def test_clerk_cannot_open_change_pages_of_another_department(client, clerk, other_card):
    response = signed_in(client, clerk).get(reverse("assets:asset-move", args=[other_card.tag]))
    assert response.status_code == 404


def test_clerk_registers_a_card(client, clerk, centre):
    response = signed_in(client, clerk).post(
        reverse("assets:asset-create"),
        {
            "name": "自助终端",
            "category": leaf_category("A02010105").pk,
            "owner_department": centre.pk,
            "status": "in_use",
            "install_mode": "standalone",
            "acquisition_method": "purchase",
            "value_type": "final",
            "original_value": "12000.00",
            "depreciate": "on",
            "label_mode": "own_label",
            "unit": "台",
        },
    )
    asset = Asset.objects.get(name="自助终端")
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:asset-detail", args=[asset.tag])
    assert asset.useful_life_months == 72
    assert asset.events.get().actor == clerk


def test_register_with_unknown_host_shows_the_error_and_saves_nothing(client, clerk, centre):
    response = signed_in(client, clerk).post(
        reverse("assets:asset-create"),
        {
            "name": "终端接入设备",
            "category": leaf_category("A02010200").pk,
            "owner_department": centre.pk,
            "status": "in_use",
            "install_mode": "embedded",
            "parent": "YK2099ZZZZ",
            "acquisition_method": "purchase",
            "value_type": "final",
            "original_value": "800",
            "label_mode": "host_label",
        },
    )
    assert response.status_code == 200
    assert "YK2099ZZZZ" in str(response.context["form"].errors["parent"])
    assert not Asset.objects.exists()


def test_clerk_edits_plain_fields_and_history_records_them(client, clerk, card):
    data = {
        "name": "核心交换机（主）",
        "model": "S5735",
        "category": card.category_id,
        "acquisition_method": card.acquisition_method,
        "value_type": card.value_type,
        "original_value": card.original_value,
        "useful_life_months": card.useful_life_months,
        "depreciate": "on",
        "label_mode": card.label_mode,
        "unit": card.unit,
        "custodian": "张三",
    }
    response = signed_in(client, clerk).post(reverse("assets:asset-update", args=[card.tag]), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.name, card.custodian) == ("核心交换机（主）", "张三")
    event = card.events.first()
    assert event.kind == "updated"
    assert event.changes["custodian"] == ["", "张三"]


def test_nest_page_refuses_a_cycle_on_the_form(client, clerk, card, centre):
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).post(
        reverse("assets:asset-nest", args=[card.tag]), {"parent": component.tag}
    )
    assert response.status_code == 200
    assert "cycle" in str(response.context["form"].errors["parent"]) or "循环" in str(
        response.context["form"].errors["parent"]
    )
    card.refresh_from_db()
    assert card.parent_id is None


def test_move_page_moves_host_and_embedded_components(client, clerk, card, centre):
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    room = LocationFactory(code="R-101", name="101 机房")
    response = signed_in(client, clerk).post(
        reverse("assets:asset-move", args=[card.tag]), {"location": room.pk}
    )
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.location == room


def test_status_page_offers_only_allowed_moves(client, clerk, card):
    response = signed_in(client, clerk).get(reverse("assets:asset-status", args=[card.tag]))
    offered = {value for value, _ in response.context["form"].fields["status"].choices}
    # Lending is the custody page's lend action (borrower, due date, approval reference).
    assert offered == {"idle", "pending_disposal", "in_stock"}
    assert reverse("assets:asset-custody", args=[card.tag]) in response.content.decode()


def test_status_page_refuses_lent_pointing_to_the_lend_action(client, clerk, card):
    response = signed_in(client, clerk).post(
        reverse("assets:asset-status", args=[card.tag]), {"status": "lent", "lent_to": "外单位"}
    )
    assert response.status_code == 200
    assert "/lend/" in response.context["form"].errors["status"][0]
    card.refresh_from_db()
    assert card.status == "in_use" and card.lent_to == ""


def test_retire_page_refuses_a_host_with_live_components(client, clerk, card, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).post(
        reverse("assets:asset-retire", args=[card.tag]),
        {"reason": "报废", "components": "refuse"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    card.refresh_from_db()
    assert card.status == "in_use"


def test_retire_page_retires_host_and_components(client, clerk, card, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    component = make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    response = signed_in(client, clerk).post(
        reverse("assets:asset-retire", args=[card.tag]),
        {"reason": "报废批复 2024-01", "components": "retire"},
    )
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.status == "retired"


def test_retire_button_asks_first_saying_how_many_components_go_with_it(
    client, clerk, card, centre, settings
):
    """14.6: retiring is irreversible; the button's question says what each choice does."""
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    make_asset(owner=centre, name="硬盘", parent=card, embedded=True)
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("assets:asset-retire", args=[card.tag])).content.decode()
    button = body.split('data-confirm-choice="components"')[1].split(">")[0]
    assert f"Retire {card.tag}" in button and "cannot be undone" in button
    assert "detach its 2 direct component(s)" in button.split("data-confirm-detach=")[1]
    assert "all 2 live component(s) inside it (3 cards in all)" in button
    assert "assets/confirm_choice.js" in body


def test_retire_answers_with_what_happened(client, clerk, card, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    make_asset(owner=centre, name="终端接入设备", parent=card, embedded=True)
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("assets:asset-retire", args=[card.tag]),
        {"reason": "报废批复 2024-01", "components": "detach"},
        follow=True,
    )
    assert f"Retired {card.tag} {card.name}; 1 component(s) were detached" in (
        response.content.decode()
    )


def test_pages_render_in_english_on_request(client, clerk, card):
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("assets:asset-detail", args=[card.tag]))
    assert "Net book value" in response.content.decode()


# --- 14.19: limits shown, every error at once, no future acquisition date -------------------


def _register_data(centre, **overrides):
    return {
        "name": "自助终端",
        "category": leaf_category("A02010105").pk,
        "owner_department": centre.pk,
        "status": "in_use",
        "install_mode": "standalone",
        "acquisition_method": "purchase",
        "value_type": "final",
        "original_value": "12000.00",
        "label_mode": "own_label",
        "unit": "台",
        **overrides,
    }


def test_a_5000_character_paste_is_an_error_naming_the_limit_not_a_silent_cut(
    client, clerk, centre
):
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("assets:asset-create")).content.decode()
    name_input = page.split('name="name"')[1].split(">")[0]
    assert "maxlength" not in name_input  # the browser would cut the paste silently
    assert "At most 200 characters." in page
    response = client.post(reverse("assets:asset-create"), _register_data(centre, name="机" * 5000))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "At most 200 characters; this text has 5000."
    ]
    assert not Asset.objects.exists()


def test_every_field_error_shows_at_once_with_the_card_rules(client, clerk, centre):
    response = signed_in(client, clerk).post(
        reverse("assets:asset-create"),
        _register_data(
            centre,
            name="",
            model="型" * 500,
            original_value="-5",
            acquired_on="2030-01-01",
            in_service_on="2029-01-01",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "model", "original_value", "acquired_on", "in_service_on"} <= set(errors)
    assert not Asset.objects.exists()


def test_a_future_acquisition_date_is_refused_on_the_form(client, clerk, centre):
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("assets:asset-create"), _register_data(centre, acquired_on="2030-01-01")
    )
    assert response.status_code == 200
    assert "2030-01-01 is in the future" in response.context["form"].errors["acquired_on"][0]
    assert not Asset.objects.exists()


def test_future_service_and_booking_dates_and_an_early_warranty_end_are_refused(
    client, clerk, centre
):
    """A card whose acquisition date is right must not carry an in-service or booking date that
    has not happened yet, nor a warranty that ended before it was acquired."""
    client = signed_in(client, clerk)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("assets:asset-create"),
        _register_data(
            centre,
            acquired_on="2024-03-01",
            in_service_on="2099-06-05",
            booked_on="2099-01-01",
            warranty_until="2020-01-01",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "2099-06-05 is in the future" in errors["in_service_on"][0]
    assert "2099-01-01 is in the future" in errors["booked_on"][0]
    assert errors["warranty_until"] == ["The warranty cannot end before the acquisition date."]
    assert not Asset.objects.exists()


def test_a_future_acquisition_date_is_refused_on_the_edit_form(client, clerk, card):
    client = signed_in(client, clerk)
    response = client.post(
        reverse("assets:asset-update", args=[card.tag]),
        {
            "name": card.name,
            "category": card.category_id,
            "acquisition_method": card.acquisition_method,
            "value_type": card.value_type,
            "original_value": card.original_value,
            "label_mode": card.label_mode,
            "unit": card.unit,
            "acquired_on": "2030-05-01",
        },
    )
    assert response.status_code == 200
    assert "acquired_on" in response.context["form"].errors
    card.refresh_from_db()
    assert card.acquired_on != __import__("datetime").date(2030, 5, 1)


def test_the_register_list_puts_its_count_above_folded_filters_and_labels_every_cell(
    client, clerk, card
):
    """14.11: on a phone the list is cards under its count; the filters fold behind a button."""
    body = signed_in(client, clerk).get(reverse("assets:asset-list")).content.decode()
    count, fold, table = (
        body.index('class="list-count"'),
        body.index('<details class="filters-fold" data-open-wide'),
        body.index('<table class="table table--cards'),
    )
    assert count < fold < table
    row = body.split("<tbody>")[1].split("</tr>")[0]
    assert row.count("<td") == row.count("data-label=")
    assert "cell--title" in row


@pytest.mark.parametrize(
    "custodian, display_name, shown, hidden",
    [
        # The walk found "胡勇丽 (clerk_ops)": the holder's login name beside their own name.
        ("胡勇丽", "胡勇丽", "胡勇丽", "clerk_ops"),
        # No text: the user's name, never their login name.
        ("", "胡勇丽", "胡勇丽", "clerk_ops"),
        # Text that names someone else than the user: both, the user by name.
        ("张三", "胡勇丽", "(胡勇丽)", "clerk_ops"),
    ],
)
def test_card_page_names_the_custodian_by_name(
    client, clerk, card, centre, custodian, display_name, shown, hidden
):
    from tests.factories import UserFactory

    holder = UserFactory(username="clerk_ops", department=centre, display_name=display_name)
    Asset.objects.filter(pk=card.pk).update(custodian=custodian, custodian_user=holder)
    body = signed_in(client, clerk).get(reverse("assets:asset-detail", args=[card.tag]))
    text = body.content.decode()
    assert shown in text and hidden not in text


def test_location_selects_offer_only_the_users_units_places(
    client, clerk, card, centre, other_bureau, admin_user
):
    """Walk 2 finding 35: register, move and stocktake forms list the clerk's department tree's
    locations (and shared ones nobody is responsible for), not another bureau's; admins all."""
    own = LocationFactory(code="BDC-R1", name="大数据中心机房", department=centre)
    rack = LocationFactory(code="BDC-R1-K1", name="一号机柜", parent=own)
    shared = LocationFactory(code="SHARED-1", name="公共库房")
    foreign = LocationFactory(code="CZJ-HQ", name="市财政局办公楼", department=other_bureau)
    pages = [
        reverse("assets:asset-create"),
        reverse("assets:asset-move", args=[card.tag]),
        reverse("inventory:campaign-create"),
    ]
    signed_in(client, clerk)
    for url in pages:
        body = client.get(url).content.decode()
        for place in (own, rack, shared):
            assert place.name in body, (url, place.code)
        assert foreign.name not in body, url
    response = client.post(reverse("assets:asset-move", args=[card.tag]), {"location": foreign.pk})
    assert response.status_code == 200 and response.context["form"].errors.get("location")
    card.refresh_from_db()
    assert card.location_id != foreign.pk
    signed_in(client, admin_user)
    assert foreign.name in client.get(reverse("assets:asset-create")).content.decode()
