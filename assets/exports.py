"""The register as a spreadsheet: same headers as the import template, so an export re-imports.

Columns a person reads but an import ignores (category name, depreciation, names next to codes)
are listed in `assets.imports.columns.EXPORT_ONLY_HEADERS`.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assets import permissions
from assets.custody.selectors import open_records
from assets.imports.columns import COLUMN_BY_KEY
from assets.maintenance.selectors import contract_ends, last_repairs
from assets.models import CURRENT_CODE_SYSTEM, Asset
from assets.security.services import counted_export, query_filters
from config import formatting
from config import spreadsheets as sx


def _header(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    chinese = (translation.get_language() or "zh-hans").startswith("zh")
    return column.zh if chinese else column.en


def _pair(zh: str, en: str) -> str:
    return zh if (translation.get_language() or "zh-hans").startswith("zh") else en


def register_columns() -> list[sx.Column]:
    h = _header
    return [
        sx.Column("tag", h("tag"), width=16),
        sx.Column("legacy_number", h("legacy_number")),
        sx.Column("name", h("name"), width=24),
        sx.Column("code_system", h("code_system"), width=16),
        sx.Column("category", h("category"), width=12),
        sx.Column("category_name", _pair("分类名称", "Category name")),
        sx.Column("brand", h("brand")),
        sx.Column("model", h("model")),
        sx.Column("spec", h("spec")),
        sx.Column("serial_number", h("serial_number")),
        sx.Column("unit", h("unit"), width=8),
        sx.Column("acquisition_method", h("acquisition_method")),
        sx.Column("acquired_on", h("acquired_on"), sx.DATE),
        sx.Column("in_service_on", h("in_service_on"), sx.DATE),
        sx.Column("contract_no", h("contract_no")),
        sx.Column("invoice_no", h("invoice_no")),
        sx.Column("project", h("project")),
        sx.Column("warranty_until", h("warranty_until"), sx.DATE),
        sx.Column("value_type", h("value_type")),
        sx.Column("original_value", h("original_value"), sx.MONEY, width=14),
        sx.Column(
            "accumulated_depreciation",
            _pair("累计折旧", "Accumulated depreciation"),
            sx.MONEY,
            width=14,
        ),
        sx.Column("net_book_value", _pair("账面净值", "Net book value"), sx.MONEY, width=14),
        sx.Column("booked_on", h("booked_on"), sx.DATE),
        sx.Column("voucher_no", h("voucher_no")),
        sx.Column("depreciate", h("depreciate"), sx.BOOLEAN, width=10),
        sx.Column("useful_life_months", h("useful_life_months"), sx.INTEGER),
        sx.Column("owner_department", h("owner_department")),
        sx.Column("owner_department_name", _pair("权属单位名称", "Owning department name")),
        sx.Column("managing_department", h("managing_department")),
        sx.Column("using_department", h("using_department")),
        sx.Column("using_department_name", _pair("使用部门名称", "Using department name")),
        sx.Column("custodian", h("custodian")),
        sx.Column("custodian_user", h("custodian_user")),
        sx.Column("location", h("location")),
        sx.Column("location_name", _pair("存放地点名称", "Location name")),
        sx.Column("status", h("status")),
        sx.Column("parent", h("parent"), width=16),
        sx.Column("install_mode", h("install_mode")),
        sx.Column("label_mode", h("label_mode")),
        sx.Column("notes", h("notes"), width=30),
        # Custody and upkeep (issue 18)
        sx.Column("due_on", _pair("应还日期", "Due back on"), sx.DATE),
        sx.Column("last_repair", _pair("最近维修", "Last repair"), sx.DATE),
        sx.Column("contract_end", _pair("维保截止", "Contract cover until"), sx.DATE),
    ]


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def register_rows(queryset, *, user) -> Iterator[dict]:
    """One dict per card; the queryset should come from `selectors.assets_visible_to`. A host
    `user` may not open is given as "(outside your scope)", not by its tag."""
    today = timezone.localdate()
    language = translation.get_language()
    scope = permissions.card_reading_scope(user)
    for chunk in _chunks(queryset.iterator(chunk_size=2000), 2000):
        upkeep = _upkeep_of([asset.pk for asset in chunk])
        for asset in chunk:
            with translation.override(language):
                row = _register_row(asset, today)
                if permissions.hides_host(scope, asset):
                    row["parent"] = _("(outside your scope)")
                row.update({name: values.get(asset.pk) for name, values in upkeep.items()})
                yield row


def _chunks(iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _upkeep_of(asset_ids: list[int]) -> dict[str, dict]:
    """Custody and upkeep columns for a chunk of cards: three queries, not three per card."""
    due = dict(
        open_records()
        .filter(asset_id__in=asset_ids, due_on__isnull=False)
        .values_list("asset_id", "due_on")
    )
    return {
        "due_on": due,
        "last_repair": last_repairs(asset_ids),
        "contract_end": contract_ends(asset_ids),
    }


def _register_row(asset: Asset, today) -> dict:
    return {
        "tag": asset.tag,
        "legacy_number": asset.legacy_number,
        "name": asset.name,
        "code_system": formatting.code_system(CURRENT_CODE_SYSTEM),
        "category": asset.category.code,
        "category_name": asset.category.name,
        "brand": asset.brand,
        "model": asset.model,
        "spec": asset.spec,
        "serial_number": asset.serial_number,
        "unit": asset.unit,
        "acquisition_method": asset.get_acquisition_method_display(),
        "acquired_on": asset.acquired_on,
        "in_service_on": asset.in_service_on,
        "contract_no": asset.contract_no,
        "invoice_no": asset.invoice_no,
        "project": _code(asset.project),
        "warranty_until": asset.warranty_until,
        "value_type": asset.get_value_type_display(),
        "original_value": asset.original_value,
        "accumulated_depreciation": asset.accumulated_depreciation(today),
        "net_book_value": asset.net_book_value(today),
        "booked_on": asset.booked_on,
        "voucher_no": asset.voucher_no,
        "depreciate": asset.depreciate,
        "useful_life_months": asset.useful_life_months,
        "owner_department": _code(asset.owner_department),
        "owner_department_name": asset.owner_department.name,
        "managing_department": _code(asset.managing_department),
        "using_department": _code(asset.using_department),
        "using_department_name": asset.using_department.name if asset.using_department_id else None,
        "custodian": asset.custodian,
        "custodian_user": asset.custodian_user.username if asset.custodian_user_id else None,
        "location": _code(asset.location),
        "location_name": asset.location.name if asset.location_id else None,
        "status": asset.get_status_display(),
        "parent": asset.parent.tag if asset.parent_id else None,
        "install_mode": asset.get_install_mode_display(),
        "label_mode": asset.get_label_mode_display(),
        "notes": asset.notes,
    }


def register_filename(extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{_('assets')}-{stamp}.{extension}"


def register_response(queryset, extension: str, *, user, request=None):
    columns = register_columns()
    rows = register_rows(queryset.order_by("tag"), user=user)
    if request is not None:  # the security log records what, with which filters, how many rows
        rows = counted_export(
            rows, request=request, what=f"assets.{extension}", filters=query_filters(request)
        )
    if extension == "csv":
        return sx.csv_response(register_filename("csv"), columns, rows)
    return sx.xlsx_response(register_filename("xlsx"), columns, rows, sheet_title=_("Assets"))


def handover_columns() -> list[sx.Column]:
    """The handover list (移交清单): one line per item with the receiver's result."""
    p = _pair
    return [
        sx.Column("tag", p("资产编号", "Tag"), width=16),
        sx.Column("name", p("资产名称", "Name"), width=24),
        sx.Column("category", p("资产分类代码", "Category code"), width=12),
        sx.Column("category_name", p("分类名称", "Category name")),
        sx.Column("model", p("型号", "Model")),
        sx.Column("serial_number", p("产品序列号", "Serial number")),
        sx.Column("parent", p("上级资产", "Host"), width=16),
        sx.Column("included_with_host", p("随主机移交", "Brought along by its host"), sx.BOOLEAN),
        sx.Column("original_value", p("原值", "Original value"), sx.MONEY, width=14),
        sx.Column("value_type", p("价值类型", "Value type")),
        sx.Column("acquired_on", p("取得日期", "Acquired on"), sx.DATE),
        sx.Column("location", p("存放地点", "Location")),
        sx.Column("result", p("验收结果", "Result")),
        sx.Column("reason", p("理由", "Reason"), width=30),
        sx.Column("new_using_department", p("新使用部门", "New using department")),
        sx.Column("new_custodian", p("新使用人", "New custodian")),
        sx.Column("new_location", p("新存放地点", "New location")),
    ]


def handover_rows(items, *, user) -> Iterator[dict]:
    """One dict per item. A host that does not travel in the handover and that `user` may not
    open is given as "(outside your scope)", not by its tag."""
    language = translation.get_language()
    scope = permissions.card_reading_scope(user)
    for item in items:
        asset = item.asset
        host_hidden = not item.included_with_host and permissions.hides_host(scope, asset)
        with translation.override(language):
            yield {
                "tag": asset.tag,
                "name": asset.name,
                "category": asset.category.code,
                "category_name": asset.category.name,
                "model": asset.model,
                "serial_number": asset.serial_number,
                "parent": _("(outside your scope)")
                if host_hidden
                else (asset.parent.tag if asset.parent_id else None),
                "included_with_host": item.included_with_host,
                "original_value": asset.original_value,
                "value_type": asset.get_value_type_display(),
                "acquired_on": asset.acquired_on,
                "location": asset.location.name if asset.location_id else None,
                "result": item.get_result_display(),
                "reason": item.reason,
                "new_using_department": item.new_using_department.name
                if item.new_using_department_id
                else None,
                "new_custodian": item.new_custodian,
                "new_location": item.new_location.name if item.new_location_id else None,
            }


def handover_response(handover, items, extension: str, *, user, request=None):
    name = f"{_('handover')}-{handover.number}.{extension}"
    columns = handover_columns()
    rows = handover_rows(items, user=user)
    if request is not None:
        rows = counted_export(
            rows, request=request, what=f"handover-items.{extension}", handover=handover.number
        )
    if extension == "csv":
        return sx.csv_response(name, columns, rows)
    return sx.xlsx_response(name, columns, rows, sheet_title=handover.number)
