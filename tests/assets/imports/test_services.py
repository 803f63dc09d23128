"""Ledger import: preview, all-or-nothing apply, idempotent re-import, errors per row (issue 7)."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from assets.imports import jobs
from assets.models import Asset, AssetEvent, ImportJob, User
from tests.factories import LocationFactory, UserFactory, make_asset

HEADERS = ["原资产编号", "资产名称", "资产分类代码", "权属单位", "使用部门", "原值", "取得日期"]


def xlsx(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_data(rows, headers=HEADERS, encoding="utf-8"):
    lines = [",".join(headers)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def ledger(count=3, prefix="GD"):
    return [
        [f"{prefix}-{n:05d}", f"台式计算机{n}", "A02010105", "BDC", "BDC", 5000 + n, "2023-01-05"]
        for n in range(1, count + 1)
    ]


def upload(api, user, data, name="ledger.xlsx", lang="en"):
    api.as_user(user)
    return api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def apply(api, job_id, lang="en"):
    return api.post(f"/api/v1/imports/{job_id}/apply/", HTTP_ACCEPT_LANGUAGE=lang)


def snapshot():
    return Asset.objects.count(), AssetEvent.objects.count()


@pytest.fixture
def importer(clerk):
    return clerk


# --- the happy path ---------------------------------------------------------------------------


def test_upload_shows_a_preview_and_writes_nothing(api, importer):
    response = upload(api, importer, xlsx(ledger(3)))
    assert response.status_code == 201, response.json()
    job = response.json()
    assert job["state"] == "ready"
    assert (job["create_count"], job["update_count"], job["error_count"]) == (3, 0, 0)
    assert [row["action"] for row in job["preview"]] == ["create"] * 3
    assert Asset.objects.count() == 0


def test_apply_registers_every_row_with_its_created_event(api, importer):
    job = upload(api, importer, xlsx(ledger(3))).json()
    response = apply(api, job["id"])
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "applied"
    asset = Asset.objects.get(legacy_number="GD-00002")
    assert asset.name == "台式计算机2"
    assert asset.original_value == Decimal("5002.00")
    assert asset.owner_department.code == "BDC"
    assert asset.status == Asset.Status.IN_USE
    assert AssetEvent.objects.filter(asset=asset, kind="created", actor=importer).count() == 1


def test_reimporting_the_same_file_changes_nothing(api, importer):
    data = xlsx(ledger(3))
    apply(api, upload(api, importer, data).json()["id"])
    before = snapshot()
    job = upload(api, importer, data).json()
    assert (job["create_count"], job["update_count"], job["unchanged_count"]) == (0, 0, 3)
    assert apply(api, job["id"]).status_code == 200
    assert snapshot() == before


def test_reimport_with_a_changed_value_updates_the_card_with_an_event(api, importer):
    apply(api, upload(api, importer, xlsx(ledger(2))).json()["id"])
    rows = ledger(2)
    rows[1][1] = "便携式计算机"
    job = upload(api, importer, xlsx(rows)).json()
    assert (job["update_count"], job["unchanged_count"]) == (1, 1)
    assert job["preview"][1]["changes"] == {"name": ["台式计算机2", "便携式计算机"]}
    apply(api, job["id"])
    asset = Asset.objects.get(legacy_number="GD-00002")
    assert asset.name == "便携式计算机"
    event = AssetEvent.objects.get(asset=asset, kind="updated")
    assert event.changes == {"name": ["台式计算机2", "便携式计算机"]}


# --- 14.21: a plain ledger (no tag, no legacy number) ------------------------------------------

PLAIN = ["资产名称", "资产分类代码", "型号", "产品序列号", "原值", "取得日期", "权属单位",
         "使用部门", "存放地点", "使用人"]  # fmt: skip


def plain_ledger(count=3):
    return [
        [f"台式计算机{n}", "A02010105", "ThinkCentre M920", f"SN-{n:04d}", 5000 + n,
         "2023-01-05", "BDC", "BDC", "HQ-301", "张三"]
        for n in range(1, count + 1)
    ]  # fmt: skip


@pytest.fixture
def room(db):
    return LocationFactory(code="HQ-301", name="主楼301")


def test_a_first_import_of_a_plain_ledger_registers_new_cards(api, importer, room):
    response = upload(api, importer, xlsx(plain_ledger(3), PLAIN))
    assert response.status_code == 201, response.json()
    job = response.json()
    assert job["state"] == "ready", job["errors"]
    assert (job["create_count"], job["update_count"]) == (3, 0)
    assert job["columns"]["unmatched"] == []  # a first import: nothing to match, no warning
    assert apply(api, job["id"]).status_code == 200
    cards = Asset.objects.order_by("serial_number")
    assert [c.serial_number for c in cards] == ["SN-0001", "SN-0002", "SN-0003"]
    assert {(c.location.code, c.custodian, c.model) for c in cards} == {
        ("HQ-301", "张三", "ThinkCentre M920")
    }


def test_a_reimport_of_a_plain_ledger_matches_cards_by_serial_number(api, importer, room):
    apply(api, upload(api, importer, xlsx(plain_ledger(3), PLAIN)).json()["id"])
    before = snapshot()
    rows = plain_ledger(3)
    rows[1][4] = 6800  # a revalued card
    job = upload(api, importer, xlsx(rows, PLAIN)).json()
    assert (job["create_count"], job["update_count"], job["unchanged_count"]) == (0, 1, 2)
    assert job["preview"][1]["changes"] == {"original_value": ["5002.00", "6800.00"]}
    assert job["columns"]["unmatched"] == []
    apply(api, job["id"])
    assert Asset.objects.count() == before[0]
    assert Asset.objects.get(serial_number="SN-0002").original_value == Decimal("6800.00")


def test_a_reimport_warns_in_the_preview_of_rows_it_could_not_match(api, importer, room):
    apply(api, upload(api, importer, xlsx(plain_ledger(2), PLAIN)).json()["id"])
    rows = plain_ledger(2)
    rows.append(["打印机", "A02010105", "M405", "SN-NEW", 1800, "2023-02-01", "BDC", "BDC", "", ""])
    rows.append(["扫描仪", "A02010105", "S1", "", 900, "2023-02-01", "BDC", "BDC", "", ""])
    job = upload(api, importer, xlsx(rows, PLAIN)).json()
    assert (job["create_count"], job["unchanged_count"]) == (2, 2)
    warned = {w["row"]: w["message"] for w in job["columns"]["unmatched"]}
    assert set(warned) == {4, 5}
    assert "Serial number “SN-NEW”" in warned[4]
    assert "no tag, legacy number or serial number" in warned[5]
    assert [row["warning"] != "" for row in job["preview"]] == [False, False, True, True]


def test_a_serial_number_shared_by_two_cards_asks_for_the_tag(api, importer, centre, room):
    make_asset(owner=centre, actor=importer, serial_number="SN-DUP")
    make_asset(owner=centre, actor=importer, serial_number="SN-DUP")
    rows = plain_ledger(1)
    rows[0][3] = "SN-DUP"
    job = upload(api, importer, xlsx(rows, PLAIN)).json()
    assert job["state"] == "invalid"
    errors = job["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "产品序列号")]
    assert "give the tag instead" in errors[0]["message"]


def test_a_serial_number_twice_in_a_plain_ledger_is_an_error(api, importer, room):
    rows = plain_ledger(2)
    rows[1][3] = rows[0][3]
    errors = _errors(api, importer, rows, PLAIN)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "产品序列号")]


def test_the_export_gives_the_tags_back_so_the_next_round_updates_the_same_cards(
    api, importer, room
):
    apply(api, upload(api, importer, xlsx(plain_ledger(3), PLAIN)).json()["id"])
    api.as_user(importer)
    exported = b"".join(api.get("/api/v1/assets/export.xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [c.value for c in sheet[1]]
    tags_column = header.index("资产编号")
    exported_tags = {row[tags_column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported_tags == set(Asset.objects.values_list("tag", flat=True))
    before = snapshot()
    job = upload(api, importer, exported).json()
    assert job["state"] == "ready", job["errors"]
    assert (job["create_count"], job["update_count"], job["unchanged_count"]) == (0, 0, 3)
    assert job["columns"]["unmatched"] == []
    apply(api, job["id"])
    assert snapshot() == before


def test_rows_matched_by_tag_update_that_card(api, importer, centre):
    asset = make_asset(owner=centre, actor=importer, name="旧名称")
    data = xlsx([[asset.tag, "新名称"]], headers=["资产编号", "资产名称"])
    response = upload(api, importer, data)
    # tag-only files still need the required columns
    assert response.status_code == 400
    data = xlsx(
        [[asset.tag, "新名称", "A02010105", "BDC"]],
        headers=["Tag", "Name", "Category code", "Owning department"],
    )
    job = upload(api, importer, data).json()
    assert job["update_count"] == 1
    apply(api, job["id"])
    asset.refresh_from_db()
    assert asset.name == "新名称"


def test_english_headers_and_combined_headers_are_mapped(api, importer):
    headers = ["Legacy number", "资产名称 / Name", "Category code*", "Owning department"]
    job = upload(api, importer, xlsx([["E-1", "Server", "A02010104", "BDC"]], headers)).json()
    assert job["state"] == "ready", job["errors"]
    assert job["columns"]["mapped"]["name"] == "资产名称 / Name"


def test_unknown_columns_are_listed_as_ignored(api, importer):
    headers = [*HEADERS, "内部备忘"]
    job = upload(api, importer, xlsx([[*ledger(1)[0], "x"]], headers)).json()
    assert job["columns"]["ignored"] == ["内部备忘"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_bom_and_gb18030_imports(api, importer, encoding):
    job = upload(api, importer, csv_data(ledger(2), encoding=encoding), name="ledger.csv").json()
    assert job["state"] == "ready", job
    assert apply(api, job["id"]).status_code == 200
    assert set(Asset.objects.values_list("name", flat=True)) == {"台式计算机1", "台式计算机2"}


def test_hosts_may_come_after_their_components_in_the_file(api, importer):
    headers = [*HEADERS, "上级资产", "安装方式"]
    rows = [
        ["NIC-1", "网卡", "A02010104", "BDC", "BDC", 800, "2023-01-05", "SRV-1", "嵌入主机"],
        ["SRV-1", "服务器", "A02010104", "BDC", "BDC", 50000, "2023-01-05", "", ""],
    ]
    job = upload(api, importer, xlsx(rows, headers)).json()
    assert job["state"] == "ready", job["errors"]
    apply(api, job["id"])
    nic = Asset.objects.get(legacy_number="NIC-1")
    assert nic.parent.legacy_number == "SRV-1"
    assert nic.install_mode == Asset.InstallMode.EMBEDDED


def test_a_parent_may_be_a_card_already_registered(api, importer, centre):
    host = make_asset(owner=centre, actor=importer, name="服务器", legacy_number="OLD-1")
    headers = [*HEADERS, "上级资产"]
    rows = [["NIC-1", "网卡", "A02010104", "BDC", "BDC", 800, "2023-01-05", host.tag]]
    apply(api, upload(api, importer, xlsx(rows, headers)).json()["id"])
    assert Asset.objects.get(legacy_number="NIC-1").parent == host


# --- classification codes ---------------------------------------------------------------------


def test_legacy_procurement_codes_map_through_the_mapping_table(api, importer):
    headers = [*HEADERS, "分类代码体系"]
    rows = [
        ["A", "台式机", "A02010104", "BDC", "BDC", 1, "2023-01-05", "CG2013"],
        ["B", "服务器", "A02010104", "BDC", "BDC", 1, "2023-01-05", "GBT14885-2022"],
        ["C", "服务器", "A02010104", "BDC", "BDC", 1, "2023-01-05", ""],
    ]
    apply(api, upload(api, importer, xlsx(rows, headers)).json()["id"])
    codes = dict(Asset.objects.values_list("legacy_number", "category__code"))
    assert codes == {"A": "A02010105", "B": "A02010104", "C": "A02010104"}


def test_a_legacy_code_without_a_mapping_is_an_error(api, importer):
    headers = [*HEADERS, "分类代码体系"]
    rows = [["A", "台式机", "A02010199", "BDC", "BDC", 1, "2023-01-05", "CG2013"]]
    job = upload(api, importer, xlsx(rows, headers)).json()
    assert job["state"] == "invalid"
    assert job["errors"][0]["column"] == "资产分类代码"


def test_a_group_category_is_an_error(api, importer):
    rows = ledger(1)
    rows[0][2] = "A02010100"
    job = upload(api, importer, xlsx(rows)).json()
    assert "leaf" in job["errors"][0]["message"]


# --- bad input: 400 with nothing stored --------------------------------------------------------


def test_a_file_that_is_not_a_spreadsheet_is_a_400_naming_the_file(api, importer):
    response = upload(api, importer, b"%PDF-1.7 not a ledger", name="ledger.xlsx")
    assert response.status_code == 400
    assert "file" in response.json()
    assert ImportJob.objects.count() == 0


def test_a_wrong_encoding_is_a_400(api, importer):
    response = upload(api, importer, csv_data(ledger(1), encoding="utf-16"), name="l.csv")
    assert response.status_code == 400
    assert "UTF-16" in response.json()["file"][0]


def test_missing_required_columns_are_named(api, importer):
    response = upload(api, importer, xlsx([["X-1", "服务器"]], ["原资产编号", "资产名称"]))
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "Category code" in message and "Owning department" in message
    assert ImportJob.objects.count() == 0


def test_an_xlsx_zip_bomb_is_refused(api, importer):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    response = upload(api, importer, out.getvalue())
    assert response.status_code == 400


def test_a_path_in_the_file_name_is_dropped(api, importer, settings):
    job = upload(api, importer, xlsx(ledger(1)), name="../../etc/passwd.xlsx").json()
    stored = ImportJob.objects.get(pk=job["id"])
    assert stored.original_name == "passwd.xlsx"
    assert ".." not in stored.file.name
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert Path(stored.file.path).resolve().is_relative_to(private)


# --- bad rows: an invalid job listing every offending row, register unchanged -------------------


def _errors(api, importer, rows, headers=HEADERS):
    response = upload(api, importer, xlsx(rows, headers))
    assert response.status_code == 201
    job = response.json()
    assert job["state"] == "invalid"
    assert apply(api, job["id"]).status_code == 400
    assert Asset.objects.count() == 0
    return job["errors"]


def test_duplicate_legacy_numbers_in_the_file_are_errors(api, importer):
    rows = ledger(3)
    rows[2][0] = rows[0][0]
    errors = _errors(api, importer, rows)
    assert [(e["row"], e["column"]) for e in errors] == [(4, "原资产编号")]
    assert "row 2" in errors[0]["message"]


def test_duplicate_tags_in_the_file_are_errors(api, importer, centre):
    asset = make_asset(owner=centre, actor=importer)
    headers = ["资产编号", *HEADERS]
    rows = [[asset.tag, *ledger(1)[0]], [asset.tag.lower(), *ledger(1, "X")[0]]]
    response = upload(api, importer, xlsx(rows, headers))
    errors = response.json()["errors"]
    assert (3, "资产编号") in [(e["row"], e["column"]) for e in errors]


def test_unknown_references_are_reported_per_row_and_column(api, importer):
    rows = ledger(3)
    rows[1][4] = "XX局"
    rows[2][2] = "Z9"
    errors = _errors(api, importer, rows)
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (3, "使用部门", "XX局"),
        (4, "资产分类代码", "Z9"),
    ]
    assert errors[0]["text"] == "Row 3 使用部门: unknown department “XX局”"


def test_errors_are_in_plain_chinese_for_a_chinese_user(api, importer):
    rows = ledger(12)
    rows[10][4] = "XX局"
    response = upload(api, importer, xlsx(rows), lang="zh-hans")
    assert response.json()["errors"][0]["text"] == "第 12 行 使用部门：未知部门“XX局”"


def test_a_cycle_among_hosts_is_an_error_on_each_row_in_it(api, importer):
    headers = [*HEADERS, "上级资产"]
    rows = [
        ["A", "甲", "A02010104", "BDC", "BDC", 1, "2023-01-05", "B"],
        ["B", "乙", "A02010104", "BDC", "BDC", 1, "2023-01-05", "C"],
        ["C", "丙", "A02010104", "BDC", "BDC", 1, "2023-01-05", "A"],
        ["D", "丁", "A02010104", "BDC", "BDC", 1, "2023-01-05", ""],
    ]
    errors = _errors(api, importer, rows, headers)
    assert sorted(e["row"] for e in errors) == [2, 3, 4]
    assert all(e["column"] == "上级资产" for e in errors)


def test_a_cycle_through_a_registered_card_is_an_error(api, importer, centre):
    host = make_asset(owner=centre, actor=importer, legacy_number="H")
    make_asset(owner=centre, actor=importer, legacy_number="C", parent=host)
    headers = [*HEADERS, "上级资产"]
    rows = [["H", "主机", "A02010105", "BDC", "BDC", 6000, "2023-01-05", "C"]]
    before = snapshot()
    response = upload(api, importer, xlsx(rows, headers))
    assert response.json()["errors"][0]["column"] == "上级资产"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("column", "value"),
    [(5, -1), (5, "12.345"), (5, "abc"), (6, "1800-01-01"), (6, "2023-13-45"), (6, "2999-01-01")],
    ids=["negative", "3-decimals", "not-a-number", "too-old", "impossible", "future"],
)
def test_out_of_range_values_are_errors(api, importer, column, value):
    rows = ledger(2)
    rows[1][column] = value
    errors = _errors(api, importer, rows)
    assert [e["row"] for e in errors] == [3]
    assert errors[0]["column"] == HEADERS[column]


def test_a_future_acquisition_date_is_refused_with_the_registers_own_message(api, importer):
    """14.19: the import uses the register's one rule (and its words) for acquisition dates."""
    rows = ledger(2)
    rows[0][6] = "2030-01-01"
    errors = _errors(api, importer, rows)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "取得日期")]
    assert "2030-01-01 is in the future" in errors[0]["message"]


def test_useful_life_out_of_range_is_an_error(api, importer):
    headers = [*HEADERS, "折旧年限（月）"]
    rows = [[*ledger(1)[0], 0]]
    errors = _errors(api, importer, rows, headers)
    assert errors[0]["column"] == "折旧年限（月）"


def test_one_bad_row_among_a_thousand_good_ones_imports_nothing(api, importer):
    rows = ledger(1001)
    rows[637][4] = "XX局"
    errors = _errors(api, importer, rows)
    assert [(e["row"], e["column"]) for e in errors] == [(639, "使用部门")]


def test_apply_checks_again_and_refuses_if_the_register_changed(api, importer, centre):
    asset = make_asset(owner=centre, actor=importer, legacy_number="GD-00001")
    job = upload(api, importer, xlsx(ledger(2))).json()
    assert job["state"] == "ready"
    make_asset(owner=centre, actor=importer, legacy_number="GD-00001")  # now ambiguous
    before = snapshot()
    response = apply(api, job["id"])
    assert response.status_code == 400
    assert response.json()["state"] == "invalid"
    assert response.json()["errors"][0]["row"] == 2
    assert snapshot() == before
    assert asset.name == Asset.objects.get(pk=asset.pk).name


def test_a_second_apply_is_a_409_and_changes_nothing(api, importer):
    job = upload(api, importer, xlsx(ledger(2))).json()
    apply(api, job["id"])
    before = snapshot()
    response = apply(api, job["id"])
    assert response.status_code == 409
    assert snapshot() == before


# --- scope and privacy ------------------------------------------------------------------------


def test_a_clerk_cannot_import_into_another_department(api, importer, other_bureau):
    rows = ledger(2)
    rows[1][3] = "HEALTH"
    errors = _errors(api, importer, rows)
    assert errors[0]["column"] == "权属单位"
    assert "outside your department scope" in errors[0]["message"]


def test_a_clerk_cannot_update_another_departments_card_by_tag(api, importer, other_bureau):
    theirs = make_asset(owner=other_bureau, name="他们的")
    headers = ["资产编号", "资产名称", "资产分类代码", "权属单位"]
    rows = [[theirs.tag, "改名", "A02010105", "BDC"]]
    response = upload(api, importer, xlsx(rows, headers))
    errors = response.json()["errors"]
    assert errors[0]["column"] == "资产编号"
    assert "unknown asset" in errors[0]["message"]
    assert Asset.objects.get(pk=theirs.pk).name == "他们的"


def test_legacy_numbers_match_only_cards_in_the_clerks_scope(api, importer, other_bureau):
    make_asset(owner=other_bureau, legacy_number="GD-00001", name="他们的")
    job = upload(api, importer, xlsx(ledger(1))).json()
    assert job["create_count"] == 1


def test_another_user_gets_404_for_the_job(api, importer, centre):
    job = upload(api, importer, xlsx(ledger(1))).json()
    colleague = UserFactory(username="colleague", department=centre, roles=["clerk"])
    api.as_user(colleague)
    assert api.get(f"/api/v1/imports/{job['id']}/").status_code == 404
    assert api.post(f"/api/v1/imports/{job['id']}/apply/").status_code == 404
    assert api.get(f"/api/v1/imports/{job['id']}/errors.xlsx").status_code == 404
    assert api.get("/api/v1/imports/").json()["results"] == []
    assert Asset.objects.count() == 0


def test_an_admin_does_not_read_someone_elses_job(api, importer, admin_user):
    job = upload(api, importer, xlsx(ledger(1))).json()
    api.as_user(admin_user)
    assert api.get(f"/api/v1/imports/{job['id']}/").status_code == 404


def test_auditors_cannot_upload(api, auditor):
    assert upload(api, auditor, xlsx(ledger(1))).status_code == 403


def test_anonymous_cannot_upload(api, db):
    response = api.post("/api/v1/imports/", {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code in (401, 403)


# --- error file and template ------------------------------------------------------------------


def test_the_error_file_lists_each_error_with_formulas_neutralised(api, importer):
    rows = ledger(2)
    rows[1][4] = "=HYPERLINK(1)"
    job = upload(api, importer, csv_data(rows), name="ledger.csv").json()
    response = api.get(f"/api/v1/imports/{job['id']}/errors.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [cell.value for cell in sheet[2]]
    assert values[:3] == [3, "使用部门", "'=HYPERLINK(1)"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_error_file_as_csv(api, importer):
    rows = ledger(2)
    rows[1][4] = "XX局"
    job = upload(api, importer, xlsx(rows)).json()
    response = api.get(f"/api/v1/imports/{job['id']}/errors.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "XX局" in text.splitlines()[1]


def test_the_template_has_every_column_and_instructions(api, importer):
    api.as_user(importer)
    response = api.get("/api/v1/imports/template.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert "资产名称*" in headers and "上级资产" in headers
    english = [row[1].value for row in workbook.worksheets[1].iter_rows(min_row=2)]
    assert "Name" in english


def test_the_template_uploaded_unchanged_against_the_demo_data_previews_cleanly(api, db):
    """14.18: the example rows use codes `seed_demo` creates, so the template imports as is."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    clerk = User.objects.get(username="clerk")
    api.as_user(clerk)
    data = b"".join(api.get("/api/v1/imports/template.xlsx").streaming_content)
    before = Asset.objects.count()
    job = upload(api, clerk, data).json()
    assert job["state"] == "ready", job["errors"]
    assert (job["error_count"], job["create_count"]) == (0, 3)
    assert apply(api, job["id"]).status_code == 200
    assert Asset.objects.count() == before + 3
    card = Asset.objects.get(legacy_number="GD-2019-0002")
    assert card.parent.legacy_number == "GD-2019-0001"
    assert card.location_id == card.parent.location_id  # embedded: takes the host's place
    desktop = Asset.objects.get(legacy_number="GD-2019-0003")
    assert desktop.category.code == "A02010105"  # CG2013 A02010104 is a desktop computer
    # And in English too (the headers follow the language; the codes are the same).
    english = b"".join(api.get("/api/v1/imports/template.xlsx?lang=en").streaming_content)
    job = upload(api, clerk, english).json()
    assert job["state"] == "ready", job["errors"]
    assert job["unchanged_count"] == 3


# --- services ---------------------------------------------------------------------------------


def test_the_service_refuses_a_job_of_another_user(importer, centre):
    from assets.errors import NotInScope

    job = jobs.create_import_job(actor=importer, data=xlsx(ledger(1)), name="l.xlsx")
    colleague = UserFactory(username="colleague2", department=centre, roles=["clerk"])
    with pytest.raises(NotInScope):
        jobs.apply_import_job(job=job, actor=colleague)
    assert Asset.objects.count() == 0


def test_reserved_tags_are_valid_distinct_and_next_tag_continues_after_them(db):
    from django.db import transaction

    from assets import services, tags

    with transaction.atomic():
        reserved = services.reserve_tags(count=40)
        following = services.next_tag()
    assert len(set(reserved)) == 40
    assert all(tags.is_valid(tag) for tag in reserved)
    assert following not in reserved and following > reserved[-1]


def test_register_asset_refuses_a_tag_the_register_did_not_issue(centre):
    from django.core.exceptions import ValidationError

    from assets import services
    from tests.factories import leaf_category

    fields = {"name": "服务器", "owner_department": centre, "category": leaf_category()}
    with pytest.raises(ValidationError) as refusal:
        services.register_asset(actor=None, fields=fields, tag="YK2024000001X")
    assert "tag" in refusal.value.message_dict
    assert Asset.objects.count() == 0
