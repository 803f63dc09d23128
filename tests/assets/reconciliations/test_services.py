"""Reconciling the register with a finance export: matching, differences, bad input, posting."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assets import spreadsheets
from assets.errors import TransitionNotAllowed
from assets.models import AssetEvent, FinanceRow, Reconciliation, ReconciliationDifference
from assets.reconciliations import columns, services
from tests.assets.reconciliations.conftest import HEADERS, csv_bytes, finance_rows, xlsx_bytes

pytestmark = pytest.mark.django_db
Kind = ReconciliationDifference.Kind


def reconcile(actor, data, **kwargs) -> Reconciliation:
    return services.create_reconciliation(actor=actor, data=data, name="finance.xlsx", **kwargs)


def kinds(reconciliation):
    return sorted(
        (d.kind, d.asset.tag if d.asset else d.finance["legacy_number"])
        for d in reconciliation.differences.select_related("asset")
    )


def test_cards_match_by_tag_then_legacy_then_serial(clerk, register):
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register)))
    matched = dict(
        FinanceRow.objects.filter(reconciliation=rec).values_list("row_number", "matched_by")
    )
    assert matched == {2: "tag", 3: "legacy_number", 4: "serial_number", 5: ""}
    assert rec.matched_count == 3
    assert rec.only_in_finance_count == 1
    assert rec.only_in_register_count == 1
    assert kinds(rec) == [
        ("only_in_finance", "CW-9999"),
        ("only_in_register", register["missing"].tag),
    ]
    assert rec.state == Reconciliation.State.OPEN


def test_a_value_category_or_department_that_differs_is_a_difference(clerk, register, other_bureau):
    rows = finance_rows(register, value="55000.00")
    rows[1][4] = "A02010104"  # another category
    rows[2][7] = "HEALTH"  # another owner
    rec = reconcile(clerk, xlsx_bytes(rows))
    found = kinds(rec)
    assert ("value_differs", register["tag"].tag) in found
    assert ("category_differs", register["legacy"].tag) in found
    assert ("department_differs", register["serial"].tag) in found
    assert rec.matched_count == 0
    value = rec.differences.get(kind=Kind.VALUE_DIFFERS)
    assert value.register["original_value"] == "56000.00"
    assert value.finance["original_value"] == "55000.00"


def test_totals_per_category_and_department_list_the_gap(clerk, register):
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register)))
    department = {row["key"]: row for row in rec.totals["department"]}["BDC"]
    # The register holds 4 cards (66,700); the books 4 rows of which one unknown (73,200).
    assert department["register_count"] == 4
    assert department["finance_count"] == 4
    assert department["register_value"] == "66700.00"
    assert department["finance_value"] == "73200.00"
    assert department["value_gap"] == "6500.00"
    assert rec.totals["agree"] is False


def test_a_clean_export_agrees_and_clears(clerk, register):
    rows = finance_rows(register)[:3]
    rows.append(["", "", "", "打印机", "A02010105", "1500", "0", "BDC", "", ""])
    rows[3][0] = register["missing"].tag
    rec = reconcile(clerk, xlsx_bytes(rows))
    assert rec.matched_count == 4
    assert rec.differences.count() == 0
    assert rec.totals["agree"] is True
    assert rec.state == Reconciliation.State.CLEARED


def test_a_clerk_reconciles_only_their_cards(clerk, register, other_bureau, admin_user):
    from tests.factories import make_asset

    foreign = make_asset(owner=other_bureau, actor=admin_user, legacy_number="HX-1")
    rows = finance_rows(register) + [
        ["", "HX-1", "", "服务器", "A02010105", "6000", "0", "HEALTH", "", ""]
    ]
    rec = reconcile(clerk, xlsx_bytes(rows))
    assert not rec.differences.filter(asset=foreign).exists()
    assert FinanceRow.objects.get(reconciliation=rec, legacy_number="HX-1").asset_id is None


def test_gb18030_csv_with_header_on_row_3(clerk, register):
    text = "市大数据中心资产卡片\r\n\r\n" + csv_bytes(finance_rows(register)).decode("utf-8-sig")
    rec = reconcile(clerk, text.encode("gb18030"))
    assert rec.header_row == 3
    assert rec.encoding == "gb18030"
    assert rec.matched_count == 3


def test_xlsx_with_a_title_above_the_header(clerk, register):
    data = xlsx_bytes(finance_rows(register), above=[["资产卡片明细表"], ["单位：市大数据中心"]])
    rec = reconcile(clerk, data)
    assert rec.header_row == 3
    assert rec.matched_count == 3


def test_wrong_encoding_is_a_clear_error(clerk, register):
    data = csv_bytes(finance_rows(register)).decode("utf-8-sig").encode("utf-16")
    with pytest.raises(spreadsheets.SpreadsheetError) as failure:
        reconcile(clerk, data)
    assert failure.value.code == "bad_encoding"
    assert Reconciliation.objects.count() == 0


def test_merged_cells_in_the_rows_are_refused(clerk, register):
    data = xlsx_bytes(finance_rows(register), merge="H2:H4")
    with pytest.raises(spreadsheets.SpreadsheetError) as failure:
        reconcile(clerk, data)
    assert failure.value.code == "merged_cells"
    assert "H2:H4" in str(failure.value.message)
    assert Reconciliation.objects.count() == 0 and FinanceRow.objects.count() == 0


def test_a_merged_title_above_the_header_is_fine(clerk, register):
    data = xlsx_bytes(finance_rows(register), above=[["资产卡片明细表"]], merge="A1:J1")
    assert reconcile(clerk, data).matched_count == 3


def test_a_column_mapped_twice_is_refused(clerk, register):
    with pytest.raises(columns.MappingError) as failure:
        reconcile(clerk, xlsx_bytes(finance_rows(register)),
                  mapping={"legacy_number": "原资产编号", "serial_number": "原资产编号"})  # fmt: skip
    assert failure.value.code == "column_mapped_twice"


def test_two_columns_meaning_one_field_is_refused(clerk, register):
    headers = [*HEADERS[:-1], "原值（元）"]
    with pytest.raises(columns.MappingError) as failure:
        reconcile(clerk, xlsx_bytes(finance_rows(register), headers=headers))
    assert "原值" in str(failure.value.message)


def test_a_mapping_names_the_finance_systems_headers(clerk, register):
    headers = [
        "卡片编号",
        "财务编号",
        "SN",
        "名称",
        "分类",
        "账面价值",
        "折旧",
        "单位",
        "日期",
        "凭证",
    ]
    mapping = {"tag": "卡片编号", "legacy_number": "财务编号", "serial_number": "SN",
               "original_value": "账面价值", "accumulated_depreciation": "折旧",
               "department": "单位", "category": "分类"}  # fmt: skip
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register), headers=headers), mapping=mapping)
    assert rec.matched_count == 3
    assert rec.mapping["original_value"] == "账面价值"


def test_the_saved_mapping_is_used_when_none_is_given(clerk, admin_user, register):
    headers = [
        "卡片编号",
        "财务编号",
        "SN",
        "名称",
        "分类",
        "账面价值",
        "折旧",
        "单位",
        "日期",
        "凭证",
    ]
    services.save_mapping(actor=admin_user, headers={"tag": "卡片编号", "legacy_number": "财务编号",
                          "serial_number": "SN", "original_value": "账面价值"})  # fmt: skip
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register), headers=headers))
    assert rec.matched_count == 3
    assert rec.mapping["legacy_number"] == "财务编号"
    assert rec.mapping["original_value"] == "账面价值"


def test_only_admins_save_the_mapping(clerk):
    with pytest.raises(PermissionDenied):
        services.save_mapping(actor=clerk, headers={"tag": "卡片编号"})


def test_wan_yuan_header_converts_amounts(clerk, register):
    headers = [*HEADERS]
    headers[5] = "原值（万元）"
    headers[6] = "累计折旧（万元）"
    rows = finance_rows(register)
    for row, wan in zip(rows, ["5.6", "0.62", "0.3", "0.8"], strict=True):
        row[5] = wan
    rec = reconcile(clerk, xlsx_bytes(rows, headers=headers))
    assert rec.value_unit == "wan"
    assert rec.matched_count == 3
    assert FinanceRow.objects.get(reconciliation=rec, row_number=2).original_value == Decimal(
        "56000.00"
    )


def test_wan_in_cells_under_a_plain_header_asks_the_unit(clerk, register):
    rows = finance_rows(register)
    rows[0][5] = "5.6万"
    with pytest.raises(columns.MappingError) as failure:
        reconcile(clerk, xlsx_bytes(rows))
    assert failure.value.code == "value_unit_question"
    assert failure.value.field == "value_unit"
    assert Reconciliation.objects.count() == 0


def test_the_answered_unit_converts_the_amounts(clerk, register):
    rows = finance_rows(register)
    for row, wan in zip(rows, ["5.6万", "0.62", "0.3", "0.8万元"], strict=True):
        row[5] = wan
    rec = reconcile(clerk, xlsx_bytes(rows), value_unit="wan")
    assert rec.matched_count == 3
    assert FinanceRow.objects.get(reconciliation=rec, row_number=5).original_value == Decimal(
        "8000.00"
    )


def test_duplicate_tags_are_row_errors_and_nothing_is_stored(clerk, register):
    rows = finance_rows(register)
    rows.append(list(rows[0]))
    with pytest.raises(columns.RowsHaveErrors) as failure:
        reconcile(clerk, xlsx_bytes(rows))
    (error,) = failure.value.errors
    assert error["row"] == 6
    assert "2" in error["message"]
    assert Reconciliation.objects.count() == 0 and FinanceRow.objects.count() == 0


def test_a_bad_amount_is_a_row_error(clerk, register):
    rows = finance_rows(register)
    rows[1][5] = "六千二"
    with pytest.raises(columns.RowsHaveErrors) as failure:
        reconcile(clerk, xlsx_bytes(rows))
    assert failure.value.errors[0]["row"] == 3
    assert failure.value.errors[0]["column"] == "原值"


def test_auditors_cannot_reconcile(auditor, register):
    with pytest.raises(PermissionDenied):
        reconcile(auditor, xlsx_bytes(finance_rows(register)))


# ------------------------------------------------------------------------------ the register


def differing(clerk, register, value="55000.00"):
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register, value=value)))
    return rec, rec.differences.get(kind=Kind.VALUE_DIFFERS)


def test_post_to_the_card_corrects_it_with_an_event_naming_the_reconciliation(
    clerk, admin_user, register
):
    rec, difference = differing(clerk, register)
    services.explain_difference(
        difference=difference, actor=clerk, reason="决算调整", treatment="card"
    )
    services.approve_difference(difference=difference, actor=admin_user)
    services.post_difference(difference=difference, actor=admin_user)
    card = register["tag"]
    card.refresh_from_db()
    assert card.original_value == Decimal("55000.00")
    assert str(card.booked_on) == "2024-01-05"
    assert card.voucher_no == "记-001"
    event = AssetEvent.objects.filter(asset=card).first()
    assert event.kind == AssetEvent.Kind.UPDATED
    assert f"#{rec.pk}" in event.note
    assert event.changes["original_value"] == ["56000.00", "55000.00"]


def test_post_to_the_finance_office_leaves_the_card(clerk, admin_user, register):
    _rec, difference = differing(clerk, register)
    services.explain_difference(
        difference=difference, actor=clerk, reason="财务录入错误", treatment="finance"
    )
    services.approve_difference(difference=difference, actor=admin_user)
    services.post_difference(difference=difference, actor=admin_user)
    register["tag"].refresh_from_db()
    assert register["tag"].original_value == Decimal("56000.00")
    assert not AssetEvent.objects.filter(asset=register["tag"], kind="updated").exists()


def test_ownership_is_not_posted_to_the_card(clerk, register, other_bureau):
    rows = finance_rows(register)
    rows[2][7] = "HEALTH"
    rec = reconcile(clerk, xlsx_bytes(rows))
    difference = rec.differences.get(kind=Kind.DEPARTMENT_DIFFERS)
    with pytest.raises(ValidationError) as failure:
        services.explain_difference(
            difference=difference, actor=clerk, reason="x", treatment="card"
        )
    assert "treatment" in failure.value.message_dict


def test_steps_follow_the_register_order(clerk, admin_user, register):
    _rec, difference = differing(clerk, register)
    with pytest.raises(TransitionNotAllowed):
        services.approve_difference(difference=difference, actor=admin_user)
    services.explain_difference(difference=difference, actor=clerk, reason="r", treatment="finance")
    with pytest.raises(PermissionDenied):
        services.approve_difference(difference=difference, actor=clerk)
    services.approve_difference(difference=difference, actor=admin_user)
    with pytest.raises(TransitionNotAllowed):
        services.approve_difference(difference=difference, actor=admin_user)


def test_posting_every_difference_clears_the_reconciliation(clerk, admin_user, register):
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register)))
    for difference in rec.differences.all():
        services.explain_difference(
            difference=difference, actor=clerk, reason="待财务处理", treatment="finance"
        )
        services.approve_difference(difference=difference, actor=admin_user)
        services.post_difference(difference=difference, actor=admin_user)
    rec.refresh_from_db()
    assert rec.state == Reconciliation.State.CLEARED
    assert rec.cleared_at is not None


def test_transitions_walk_every_pair():
    states = list(ReconciliationDifference.State.values)
    for old in states:
        for new in states:
            allowed = new in services.DIFFERENCE_TRANSITIONS[old]
            assert allowed == ((old, new) in {("raised", "explained"), ("explained", "approved"),
                               ("explained", "explained"), ("approved", "posted")})  # fmt: skip


def test_a_card_handed_to_another_unit_leaves_the_senders_reconciliation(
    clerk, register, centre, other_bureau, admin_user
):
    """walk2-13: the centre still manages a card it handed to 卫健委; the finance books it
    reconciles are its own, so the card is not "on the register, not in the books"."""
    from assets.models import Asset
    from tests.factories import make_asset

    handed = make_asset(owner=centre, actor=clerk, managing_department=centre, name="交换机")
    # As an accepted handover leaves it: owned by the receiving unit, still managed by the centre.
    Asset.objects.filter(pk=handed.pk).update(owner_department=other_bureau)
    rec = reconcile(clerk, xlsx_bytes(finance_rows(register)))
    assert not rec.differences.filter(asset=handed).exists()
    assert rec.differences.filter(asset=register["missing"]).exists()


def test_an_offices_clerk_reconciles_the_cards_of_their_unit_the_office_uses(
    admin_user, bureau, centre
):
    from tests.factories import DepartmentFactory, UserFactory, make_asset

    office = DepartmentFactory(code="BGS", name="办公室", kind="office", parent=bureau)
    office_clerk = UserFactory(username="clerk_bgs", department=office, roles=["clerk"])
    pc = make_asset(owner=bureau, actor=admin_user, using_department=office, name="台式计算机")
    theirs = make_asset(owner=centre, actor=admin_user, using_department=office, name="借用")
    rows = [["", "ZZ-9", "", "服务器", "A02010105", "6000", "0", "BUREAU", "", ""]]
    rec = reconcile(office_clerk, xlsx_bytes(rows))
    assert rec.differences.filter(asset=pc).exists()
    assert not rec.differences.filter(asset=theirs).exists()
