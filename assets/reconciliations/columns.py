"""The finance export's columns: which header means what, and how its cells are read.

The import's machinery does the work (`assets.spreadsheets` reads the file, `assets.imports.
columns` knows the card fields' Chinese and English headers and parses amounts, dates and text);
this module adds what a finance export needs beyond a ledger: a saved mapping of headers to
fields, accumulated depreciation, one department column, amounts in 万元, the header found
below a title (row 3), merged cells refused and duplicate keys refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import spreadsheets
from assets.errors import DomainError
from assets.imports import columns as ledger
from assets.imports.columns import CellError, RowError, cell_text
from assets.reconciliations.models import ValueUnit
from config import formatting

KEYS = ("tag", "legacy_number", "serial_number")  # the match order


@dataclass(frozen=True)
class FinanceField:
    key: str
    zh: str
    en: str
    kind: str = ledger.T
    aliases: tuple[str, ...] = ()


def _from_ledger(key: str, *extra: str, into: str | None = None) -> FinanceField:
    column = ledger.COLUMN_BY_KEY[key]
    return FinanceField(into or key, column.zh, column.en, column.kind, column.aliases + extra)


FIELDS: tuple[FinanceField, ...] = (
    _from_ledger("tag"),
    _from_ledger("legacy_number", "财务卡片编号", "卡片号"),
    _from_ledger("serial_number"),
    _from_ledger("name"),
    FinanceField("category", "资产分类代码", "Category code", ledger.T, ("分类代码", "资产分类", "分类编码")),
    _from_ledger("original_value", "原值（万元）", "原值(万元)", "资产原值", "账面原值"),
    FinanceField("accumulated_depreciation", "累计折旧", "Accumulated depreciation", ledger.MONEY,
                  ("累计折旧额", "累计折旧（元）", "累计折旧(元)", "累计折旧（万元）")),
    FinanceField("department", "权属单位", "Department", ledger.T,
                 ("占有单位", "所属单位", "权属单位编码", "部门", "所属部门", "单位名称",
                  "owning department")),
    _from_ledger("booked_on", "记账日期"),
    _from_ledger("voucher_no", "记账凭证号", "凭证编号"),
)  # fmt: skip
FIELD_BY_KEY = {f.key: f for f in FIELDS}
MONEY_FIELDS = ("original_value", "accumulated_depreciation")
TEXT_LIMITS = {
    "tag": 40,
    "legacy_number": 60,
    "serial_number": 120,
    "name": 200,
    "category": 40,
    "department": 200,
    "voucher_no": 60,
}
WAN = Decimal("10000")
_UNIT_SUFFIX = re.compile(r"\((万元|万|元)\)$|(万元|元)$")


def field_label(key: str) -> str:
    item = FIELD_BY_KEY[key]
    lang = translation.get_language() or "zh-hans"
    return item.zh if lang.startswith("zh") else item.en


def _norm(header: str) -> str:
    return ledger._norm_header(header)  # one normaliser of headers for import and reconciliation


def header_unit(header: str) -> str:
    """`wan` when a header names 万元, `yuan` when it names 元, else blank."""
    match = _UNIT_SUFFIX.search(_norm(header))
    if not match:
        return ""
    return ValueUnit.WAN if "万" in match.group(0) else ValueUnit.YUAN


def _bare(header: str) -> str:
    return _UNIT_SUFFIX.sub("", _norm(header))


HEADER_INDEX: dict[str, str] = {}
for _field in FIELDS:
    for _header in (_field.zh, _field.en, _field.key, *_field.aliases):
        HEADER_INDEX.setdefault(_norm(_header), _field.key)
        HEADER_INDEX.setdefault(_bare(_header), _field.key)


def field_for_header(header: str) -> str | None:
    if not header:
        return None
    return HEADER_INDEX.get(_norm(header)) or HEADER_INDEX.get(_bare(header))


def header_score(values: list[Any]) -> int:
    """How many distinct fields a row's cells name (to find the header below a title)."""
    return len({field_for_header(cell_text(v)) for v in values if v is not None} - {None})


class MappingError(DomainError):
    """The file's columns cannot be mapped to the reconciliation's fields (400)."""

    status_code = 400
    code = "bad_mapping"
    default_message = gettext_lazy("The file's columns could not be mapped.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = "mapping"):
        super().__init__(message, code=code, field=field)


class RowsHaveErrors(DomainError):
    """Rows of the file have errors; nothing was reconciled (400)."""

    status_code = 400
    code = "rows_have_errors"
    default_message = gettext_lazy("The file has errors; nothing was reconciled.")

    def __init__(self, message=None, *, errors=None):
        super().__init__(message)
        self.errors = errors or []


@dataclass
class Mapping:
    by_field: dict[str, int]  # field -> column index
    labels: dict[str, str]  # field -> header as written in the file
    value_unit: str
    # Headers of the file's columns that no field reads: named on the result, never dropped
    # silently (a mistyped "原值 " must not pass as reconciled).
    ignored: list[str] = field(default_factory=list)


def clean_mapping(raw: Any) -> dict[str, str]:
    """A mapping as given (`{"field": "header"}`): known fields, text headers, none twice."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise MappingError(_("The mapping must be an object of field: column header."))
    cleaned: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, header in raw.items():
        if key not in FIELD_BY_KEY:
            raise MappingError(
                _("“%(field)s” is not a field of the reconciliation; use one of: %(fields)s.")
                % {"field": key, "fields": formatting.text_list(FIELD_BY_KEY)}
            )
        if header in (None, ""):
            continue
        if not isinstance(header, str):
            raise MappingError(_("Each mapped column must be a header's text."))
        norm = _norm(header)
        if norm in seen:
            raise MappingError(
                _("Column “%(header)s” is mapped twice (to %(first)s and %(second)s); map it once.")
                % {
                    "header": header,
                    "first": field_label(seen[norm]),
                    "second": field_label(key),
                },
                code="column_mapped_twice",
            )
        seen[norm] = key
        cleaned[key] = header.strip()
    return cleaned


def map_columns(headers: list[str], *, mapping: dict[str, str], value_unit: str = "") -> Mapping:
    """Map the header row: the given `mapping` first, then each remaining header by its name.

    A mapped header missing from the file, a field two columns both mean, no key column (tag,
    legacy number or serial number) or no original value is a `MappingError`.
    """
    by_norm: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header:
            by_norm.setdefault(_norm(header), index)
    by_field: dict[str, int] = {}
    labels: dict[str, str] = {}
    problems: list[str] = []
    for key, header in mapping.items():
        index = by_norm.get(_norm(header))
        if index is None:
            problems.append(
                _("Column “%(header)s” (mapped to %(field)s) is not in the file.")
                % {"header": header, "field": field_label(key)}
            )
            continue
        by_field[key] = index
        labels[key] = headers[index]
    used = set(by_field.values())
    for index, header in enumerate(headers):
        key = field_for_header(header)
        if key is None or index in used or key in mapping:
            continue
        if key in by_field:
            problems.append(
                _("Columns “%(first)s” and “%(second)s” both mean %(field)s; keep one or map it.")
                % {"first": labels[key], "second": header, "field": field_label(key)}
            )
            continue
        by_field[key] = index
        labels[key] = header
    if problems:
        raise MappingError(" ".join(problems), code="bad_columns")
    if not any(key in by_field for key in KEYS):
        raise MappingError(
            _(
                "No column identifies the card: map the tag, the legacy number or the serial "
                "number (found: %(headers)s)."
            )
            % {"headers": formatting.text_list(h for h in headers if h) or "—"},
            code="no_key_column",
        )
    if "original_value" not in by_field:
        raise MappingError(
            _("No column holds the original value; map it (found: %(headers)s).")
            % {"headers": formatting.text_list(h for h in headers if h) or "—"},
            code="no_value_column",
        )
    units = {header_unit(labels[key]) for key in MONEY_FIELDS if key in labels} - {""}
    if value_unit and units and units != {value_unit}:
        raise MappingError(
            _("The headers say the amounts are in %(header)s but %(given)s was chosen.")
            % {
                "header": formatting.text_list(str(ValueUnit(u).label) for u in sorted(units)),
                "given": ValueUnit(value_unit).label,
            },
            code="value_unit_conflict",
            field="value_unit",
        )
    if not value_unit and len(units) == 1:
        value_unit = units.pop()
    elif not value_unit and len(units) > 1:
        raise MappingError(
            _("The amount columns are in different units; choose one unit."),
            code="value_unit_conflict",
            field="value_unit",
        )
    read = set(by_field.values())
    ignored = [h for i, h in enumerate(headers) if h and i not in read]
    return Mapping(by_field=by_field, labels=labels, value_unit=value_unit, ignored=ignored)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)


def check_merged(table: spreadsheets.Table) -> None:
    """Merged cells in the data (a department merged over its rows) are refused: each row must
    carry its own values, or rows would silently lose them."""
    inside = [ref for ref in table.merged if spreadsheets.merged_rows(ref)[1] > table.header_row]
    if inside:
        raise spreadsheets.SpreadsheetError(
            _(
                "The sheet has merged cells in its rows (%(ranges)s); unmerge them, fill every "
                "row, and upload again."
            )
            % {"ranges": "、".join(inside[:5]) + ("…" if len(inside) > 5 else "")},
            code="merged_cells",
        )


def _amount(value: Any, unit: str) -> Decimal:
    text = cell_text(value)
    has_wan = "万" in text
    if unit != ValueUnit.WAN:
        if has_wan:
            raise CellError(_("“%(value)s” is in 万元 but the column is in yuan") % {"value": text})
        return ledger.parse_money(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        cleaned = re.sub(r"[,，¥￥\s]", "", text).removesuffix("元").removesuffix("万")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount in 万元") % {"value": text})
    if not amount.is_finite():
        raise CellError(_("not an amount"))
    yuan = amount * WAN
    if yuan != yuan.quantize(Decimal("0.01")) and not isinstance(value, float):
        raise CellError(_("an amount in 万元 has at most 6 decimal places"))
    return ledger.parse_money(yuan.quantize(Decimal("0.01")))


def unit_question(table: spreadsheets.Table, mapping: Mapping) -> None:
    """Amounts written with 万 under a header that names no unit: ask, never guess."""
    if mapping.value_unit:
        return
    for key in MONEY_FIELDS:
        index = mapping.by_field.get(key)
        if index is None:
            continue
        for number, values in table.rows:
            if index < len(values) and "万" in cell_text(values[index]):
                raise MappingError(
                    _(
                        "Row %(row)s of column “%(header)s” reads “%(value)s”: are the amounts "
                        "in yuan or in 万元? Choose the unit of amounts and upload again."
                    )
                    % {
                        "row": number,
                        "header": mapping.labels[key],
                        "value": cell_text(values[index]),
                    },
                    code="value_unit_question",
                    field="value_unit",
                )
    mapping.value_unit = ValueUnit.YUAN


def parse_rows(
    table: spreadsheets.Table, mapping: Mapping
) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row's values, or its errors (row, column, value, message), and duplicate keys."""
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, str], int] = {}
    for number, values in table.rows:
        row = ParsedRow(number=number)
        for key, index in mapping.by_field.items():
            raw = values[index] if index < len(values) else None
            try:
                row.values[key] = _parse(key, raw, mapping.value_unit)
            except CellError as problem:
                errors.append(
                    RowError(number, mapping.labels[key], problem.message, cell_text(raw))
                )
        if not any(row.values.get(key) for key in KEYS):
            errors.append(
                RowError(number, "", _("no tag, legacy number or serial number to match on"))
            )
        for key in KEYS:
            value = row.values.get(key)
            if not value:
                continue
            seen = first_seen.setdefault((key, value.upper()), number)
            if seen != number:
                errors.append(
                    RowError(
                        number,
                        mapping.labels[key],
                        _("the same %(field)s as row %(row)s")
                        % {"field": field_label(key), "row": seen},
                        value,
                    )
                )
        rows.append(row)
    return rows, errors


def _parse(key: str, raw: Any, unit: str) -> Any:
    if raw is None or cell_text(raw) == "":
        return None if key in MONEY_FIELDS or key == "booked_on" else ""
    if key in MONEY_FIELDS:
        return _amount(raw, unit)
    if key == "booked_on":
        parsed: date = ledger.parse_date(raw)
        return parsed
    text = cell_text(raw)
    if key == "category":
        text = text.split()[0]  # "A02010105 台式计算机": the code leads
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise CellError(
            _("too long: %(length)s characters, at most %(max)s")
            % {"length": len(text), "max": limit}
        )
    return text
