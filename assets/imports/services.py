"""Bringing a ledger in: template, header mapping, preview, and an all-or-nothing apply.

The pipeline (issue 7, DESIGN.md invariant 7):

1. `spreadsheets.read_table` reads the file (XLSX or CSV in UTF-8, BOM or GB18030).
2. `map_headers` maps each header, Chinese or English, to a card field; a missing required
   column is a file error.
3. `plan_import` checks every row without writing: values, references (departments, locations,
   categories through (code system, code) and `Category.maps_to`, projects, users, hosts), the
   actor's department scope, duplicates within the file and parent cycles, and works out for each
   row whether it creates a card, updates one (matched on tag or legacy number) or changes
   nothing. Errors are collected per row and column in plain words.
4. `execute_plan` applies every row in one transaction through `assets.services`, so each change
   writes its history event like any other: new cards in batches through `register_assets`
   (hosts before their components), cards with only plain-field changes in batches through
   `update_assets`, other changes through `update_asset`, `nest_asset`, `move_asset` and
   `change_status`. One failing row rolls the whole file back.

`create_import_job` and `apply_import_job` are the services behind the API, the web pages and
`manage.py import_assets`; the job's state machine is `IMPORT_TRANSITIONS`.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import history, permissions, services, spreadsheets, tags
from assets.errors import DomainError, NotInScope, TransitionNotAllowed
from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    Category,
    DelegatedProject,
    Department,
    ImportJob,
    Location,
    TagSequence,
    User,
)

PREVIEW_ROWS = 500
CHUNK = 900  # stays under SQLite's bound-parameter limit
APPLY_BATCH = 2000  # cards per bulk service call: bounds the card objects held at once
MAX_VALUE = Decimal("999999999999.99")
MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2100, 12, 31)

State = ImportJob.State
IMPORT_TRANSITIONS: dict[str, set[str]] = {
    State.READY: {State.APPLIED, State.INVALID},
    State.INVALID: set(),
    State.APPLIED: set(),
}


class ImportHasErrors(DomainError):
    """The file's rows have errors; nothing was written (400)."""

    status_code = 400
    code = "import_has_errors"
    default_message = gettext_lazy("The file has errors; nothing was imported.")

    def __init__(self, message=None, *, errors=None, job=None):
        super().__init__(message)
        self.errors = errors or []
        self.job = job


# --------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class ImportColumn:
    key: str
    zh: str
    en: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: Any = ""


T, MONEY, INT, DATE, BOOL, CHOICE, REF = "text", "money", "int", "date", "bool", "choice", "ref"

COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("tag", "资产编号", "Tag", T, ("资产卡片编号", "卡片编号", "asset tag"),
                 help=gettext_lazy("Yika tag of an existing card; empty for a new card.")),
    ImportColumn("legacy_number", "原资产编号", "Legacy number", T,
                 ("原编号", "旧资产编号", "原卡片编号", "legacy no", "old number"),
                 help=gettext_lazy("Number in the old ledger; matches the card on re-import.")),
    ImportColumn("name", "资产名称", "Name", T, ("名称",), required=True),
    ImportColumn("code_system", "分类代码体系", "Code system", T, ("分类标准", "分类体系"),
                 help=gettext_lazy("GB/T 14885-2022 (default), GB/T 14885-2010 or CG2013.")),
    ImportColumn("category", "资产分类代码", "Category code", REF, ("分类代码", "资产分类"),
                 required=True),
    ImportColumn("brand", "品牌", "Brand"),
    ImportColumn("model", "型号", "Model", T, ("规格型号",)),
    ImportColumn("spec", "规格", "Specification", T, ("规格参数", "spec")),
    ImportColumn("serial_number", "产品序列号", "Serial number", T, ("序列号", "SN", "S/N")),
    ImportColumn("unit", "计量单位", "Unit", T, ("单位",)),
    ImportColumn("acquisition_method", "取得方式", "Acquisition method", CHOICE),
    ImportColumn("acquired_on", "取得日期", "Acquired on", DATE, ("购置日期",)),
    ImportColumn("in_service_on", "投入使用日期", "In service since", DATE, ("启用日期",)),
    ImportColumn("contract_no", "采购合同编号", "Contract number", T, ("合同编号",)),
    ImportColumn("invoice_no", "发票号", "Invoice number", T, ("发票号码",)),
    ImportColumn("project", "代建项目编号", "Project code", REF, ("代建项目",)),
    ImportColumn("warranty_until", "保修截止日期", "Warranty until", DATE),
    ImportColumn("value_type", "价值类型", "Value type", CHOICE),
    ImportColumn("original_value", "原值", "Original value", MONEY,
                 ("原值（元）", "原值(元)", "原值元")),
    ImportColumn("booked_on", "财务入账日期", "Booked on", DATE, ("入账日期",)),
    ImportColumn("voucher_no", "会计凭证号", "Voucher number", T, ("凭证号",)),
    ImportColumn("depreciate", "是否计提折旧", "Depreciate", BOOL, ("折旧状态", "计提折旧")),
    ImportColumn("useful_life_months", "折旧年限（月）", "Useful life (months)", INT,
                 ("折旧年限(月)", "折旧年限", "使用年限（月）")),
    ImportColumn("owner_department", "权属单位", "Owning department", REF,
                 ("占有单位", "所属单位", "权属单位编码"), required=True),
    ImportColumn("managing_department", "管理部门", "Managing department", REF),
    ImportColumn("using_department", "使用部门", "Using department", REF),
    ImportColumn("custodian", "使用人", "Custodian", T),
    ImportColumn("custodian_user", "使用人账号", "Custodian account", REF),
    ImportColumn("location", "存放地点", "Location", REF, ("存放地点编码",)),
    ImportColumn("status", "使用状况", "Status", CHOICE, ("资产状态", "状态")),
    ImportColumn("parent", "上级资产", "Host", REF, ("主资产", "所属主机", "parent", "host tag"),
                 help=gettext_lazy("Tag or legacy number of the host, in this file or already "
                                   "registered.")),
    ImportColumn("install_mode", "安装方式", "Installation", CHOICE),
    ImportColumn("label_mode", "标签方式", "Label strategy", CHOICE),
    ImportColumn("notes", "备注", "Notes"),
)  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
# Columns that exports add for people to read; an import ignores them without a warning.
EXPORT_ONLY_HEADERS = (
    "分类名称", "Category name", "累计折旧", "Accumulated depreciation", "账面净值", "净值",
    "Net book value", "月折旧额", "Monthly depreciation", "权属单位名称", "Owning department name",
    "使用部门名称", "Using department name", "存放地点名称", "Location name", "登记时间",
    "Registered at", "处置日期", "Retired at",
)  # fmt: skip
CHOICE_MODELS = {
    "acquisition_method": Asset.AcquisitionMethod,
    "value_type": Asset.ValueType,
    "status": Asset.Status,
    "install_mode": Asset.InstallMode,
    "label_mode": Asset.LabelMode,
}
TEXT_LIMITS = {
    f.name: f.max_length
    for f in Asset._meta.get_fields()
    if getattr(f, "max_length", None) and f.get_internal_type() == "CharField"
}
TEXT_LIMITS["notes"] = 5000
CODE_SYSTEM_ALIASES = {
    "GBT1488522": CURRENT_CODE_SYSTEM,
    "GBT148852022": CURRENT_CODE_SYSTEM,
    "2022": CURRENT_CODE_SYSTEM,
    "GBT148852010": "GBT14885-2010",
    "GBT1488510": "GBT14885-2010",
    "2010": "GBT14885-2010",
    "CG2013": "CG2013",
    "2013": "CG2013",
    "2013采购目录": "CG2013",
    "政府采购品目2013": "CG2013",
    "财库2013189号": "CG2013",
}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "计提", "计提折旧", "√"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "不计提", "不计提折旧", "×"}


def _norm_header(text: str) -> str:
    text = (text or "").strip().replace("（", "(").replace("）", ")")
    text = text.rstrip("*＊").strip()
    return re.sub(r"\s+", "", text).lower()


HEADER_INDEX: dict[str, str] = {}
for _column in COLUMNS:
    for _header in (_column.zh, _column.en, _column.key, *_column.aliases):
        HEADER_INDEX.setdefault(_norm_header(_header), _column.key)
IGNORED_INDEX = {_norm_header(h) for h in EXPORT_ONLY_HEADERS}


def column_for_header(header: str) -> str | None:
    key = HEADER_INDEX.get(_norm_header(header))
    if key is None and "/" in header:
        for part in header.split("/"):
            key = HEADER_INDEX.get(_norm_header(part))
            if key:
                break
    return key


@dataclass
class HeaderMap:
    by_index: dict[int, str]
    labels: dict[str, str]  # key -> the header as written in the file
    ignored: list[str]


def map_headers(headers: list[str]) -> HeaderMap:
    """Map the header row to card fields; a missing required or doubled column is a file error."""
    by_index: dict[int, str] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        key = column_for_header(header)
        if key is None:
            if _norm_header(header) not in IGNORED_INDEX:
                ignored.append(header)
            continue
        if key in labels:
            problems.append(
                _("Columns “%(first)s” and “%(second)s” both mean %(field)s; keep one.")
                % {"first": labels[key], "second": header, "field": column_label(key)}
            )
            continue
        by_index[index] = key
        labels[key] = header
    missing = [c for c in COLUMNS if c.required and c.key not in labels]
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(column_label(c.key) for c in missing)}
        )
    # A plain ledger (no tag, no legacy number) is a first import: every row is a new card.
    # Re-imports match on tag, legacy number or serial number; `plan_import` warns of the rows
    # it could not match.
    if problems:
        raise spreadsheets.SpreadsheetError(" ".join(problems), code="bad_columns")
    return HeaderMap(by_index=by_index, labels=labels, ignored=ignored)


def column_label(key: str) -> str:
    """The column's header in the user's language."""
    column = COLUMN_BY_KEY[key]
    lang = translation.get_language() or "zh-hans"
    return column.zh if lang.startswith("zh") else column.en


# --------------------------------------------------------------------------------------------
# Errors


@dataclass
class RowError:
    row: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "text": error_text(self.row, self.column, self.message),
        }


def error_text(row: int, column: str, message: str) -> str:
    if column:
        return _("Row %(row)s %(column)s: %(message)s") % {
            "row": row,
            "column": column,
            "message": message,
        }
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


class CellError(Exception):
    def __init__(self, message, *, code_system: bool = False):
        super().__init__(str(message))
        self.message = str(message)
        self.code_system = code_system


# --------------------------------------------------------------------------------------------
# Value parsing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_text(key: str, value: Any) -> str:
    text = _text(value)
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise CellError(
            _("too long: %(length)s characters, at most %(max)s")
            % {"length": len(text), "max": limit}
        )
    return text


def parse_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("not an amount"))
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = _text(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        text = text.removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount in yuan") % {"value": _text(value)})
    if not amount.is_finite():
        raise CellError(_("not an amount"))
    if amount < 0:
        raise CellError(_("an amount cannot be negative"))
    if amount > MAX_VALUE:
        raise CellError(_("the amount is too large"))
    quantized = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    if not isinstance(value, float) and quantized != amount:
        raise CellError(_("an amount has at most 2 decimal places"))
    return quantized


def parse_int(value: Any, *, low: int, high: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        text = _text(value)
        if not re.fullmatch(r"[+]?\d+", text):
            raise CellError(_("“%(value)s” is not a whole number") % {"value": text})
        value = int(text)
    if not low <= value <= high:
        raise CellError(
            _("%(value)s is out of range (%(low)s to %(high)s)")
            % {"value": value, "low": low, "high": high}
        )
    return value


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = _text(value)
        match = DATE_RE.match(text)
        if text.isdigit() and len(text) == 8:
            match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
        if not match:
            raise CellError(
                _("“%(value)s” is not a date (write it as 2024-03-31)") % {"value": text}
            )
        try:
            result = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(_("“%(value)s” is not a valid date") % {"value": text})
    if not MIN_DATE <= result <= MAX_DATE:
        raise CellError(
            _("%(value)s is out of range (%(low)s to %(high)s)")
            % {"value": result.isoformat(), "low": MIN_DATE.isoformat(), "high": MAX_DATE}
        )
    return result


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no (是/否)") % {"value": _text(value)})


def _choice_index(choices) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        index[value.lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                index[str(label).strip().lower()] = value
        index[str(choices(value).label).lower()] = value
    return index


EXTRA_CHOICE_WORDS = {
    "status": {
        "在用": "in_use",
        "闲置": "idle",
        "出租出借": "lent",
        "出租": "lent",
        "出借": "lent",
        "待处置": "pending_disposal",
        "待报废": "pending_disposal",
        "毁损": "pending_disposal",
        "入库": "in_stock",
        "库存": "in_stock",
        "盘盈": "draft",
        "已处置": "retired",
        "报废": "retired",
    },
    "acquisition_method": {
        "新购": "purchase",
        "购置": "purchase",
        "调拨": "transfer",
        "无偿划转": "transfer",
        "置换": "exchange",
        "接受捐赠": "donation",
        "捐赠": "donation",
        "盘盈": "surplus",
        "代建移交": "delegated_build",
        "其他": "other",
    },
    "value_type": {
        "暂估": "provisional",
        "决算": "final",
        "评估值": "appraised",
        "重置值": "replacement",
        "名义金额": "nominal",
    },
    "install_mode": {"独立": "standalone", "嵌入": "embedded", "嵌入主机": "embedded",
                     "机架": "rack_mounted", "上架": "rack_mounted"},
    "label_mode": {"自带标签": "own_label", "主机标签": "host_label", "卡片留存": "card_label",
                   "无标签": "virtual"},
}  # fmt: skip


def parse_choice(key: str, value: Any, index: dict[str, str]) -> str:
    text = _text(value).strip().lower()
    if text in index:
        return index[text]
    if text in EXTRA_CHOICE_WORDS.get(key, {}):
        return EXTRA_CHOICE_WORDS[key][text]
    allowed = "、".join(str(label) for _, label in CHOICE_MODELS[key].choices)
    return_error = _("unknown value “%(value)s”; use one of: %(allowed)s")
    raise CellError(return_error % {"value": _text(value), "allowed": allowed})


# --------------------------------------------------------------------------------------------
# Planning


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class PlannedRow:
    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    existing: Asset | None = None
    parent_ref: str = ""
    parent_row: PlannedRow | None = None
    parent_asset: Asset | None = None
    status: str | None = None
    install_mode: str | None = None
    location: Location | None = None
    action: str = CREATE
    changes: dict[str, list] = field(default_factory=dict)
    created: Asset | None = None
    depth: int = 0  # hosts in the file above this row; set by `_order_rows`

    @property
    def key(self) -> str:
        return f"row{self.number}"


@dataclass
class Plan:
    rows: list[PlannedRow]
    errors: list[RowError]
    header_map: HeaderMap
    order: list[PlannedRow] = field(default_factory=list)
    # Rows a re-import could not match to a card: [{"row", "message"}], shown in the preview.
    warnings: list[dict] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)  # rows still the template's examples

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def preview(self, limit: int = PREVIEW_ROWS) -> list[dict]:
        out = []
        warned = {w["row"]: w["message"] for w in self.warnings}
        for row in self.rows[:limit]:
            out.append(
                {
                    "row": row.number,
                    "action": row.action,
                    "tag": row.existing.tag if row.existing else "",
                    "legacy_number": row.fields.get("legacy_number")
                    or (row.existing.legacy_number if row.existing else ""),
                    "name": row.fields.get("name") or (row.existing.name if row.existing else ""),
                    "parent": row.parent_ref,
                    "changes": {
                        k: [history.json_value(b), history.json_value(a)]
                        for k, (b, a) in row.changes.items()
                    },
                    "serial_number": row.fields.get("serial_number")
                    or (row.existing.serial_number if row.existing else ""),
                    "warning": warned.get(row.number, ""),
                }
            )
        return out


class _References:
    """Every reference the file makes, loaded in a few queries and resolved in memory."""

    def __init__(self, actor):
        self.actor = actor
        self.unrestricted = actor is None or permissions.is_admin(actor)
        self.scope = None if self.unrestricted else permissions.department_scope_ids(actor)
        self.departments_by_code: dict[str, Department] = {}
        self.departments_by_name: dict[str, list[Department]] = defaultdict(list)
        for department in Department.objects.all():
            self.departments_by_code[department.code.lower()] = department
            self.departments_by_name[department.name.strip()].append(department)
        self.locations_by_code: dict[str, Location] = {}
        self.locations_by_name: dict[str, list[Location]] = defaultdict(list)
        for location in Location.objects.filter(is_active=True):
            self.locations_by_code[location.code.lower()] = location
            self.locations_by_name[location.name.strip()].append(location)
        self.categories: dict[tuple[str, str], Category] = {}
        parents: set[int] = set()
        for category in Category.objects.all():
            self.categories[(category.code_system, category.code.upper())] = category
            if category.parent_id:
                parents.add(category.parent_id)
        self.by_pk = {c.pk: c for c in self.categories.values()}
        self.group_ids = parents
        self.code_systems = {system for system, _ in self.categories}
        self.projects: dict[str, DelegatedProject] = {}
        self.users: dict[str, User] = {}
        # What a card's foreign keys point at, by model and pk: comparing a row with its card
        # must not load each card's referenced rows one query at a time.
        self.known: dict[type, dict[int, Any]] = {
            Department: {d.pk: d for d in self.departments_by_code.values()},
            Location: {loc.pk: loc for loc in self.locations_by_code.values()},
            Category: self.by_pk,
            DelegatedProject: {},
            User: {},
        }
        self.choice_indexes = {key: _choice_index(model) for key, model in CHOICE_MODELS.items()}

    def load_projects(self, codes):
        for chunk in _chunks(sorted(codes)):
            # Through the actor's scope: another department's project reads as unknown.
            for project in permissions.linkable_projects(self.actor).filter(code__in=chunk):
                self.projects[project.code] = project
                self.known[DelegatedProject][project.pk] = project

    def load_users(self, names):
        for chunk in _chunks(sorted(names)):
            for user in permissions.assignable_custodians(self.actor).filter(username__in=chunk):
                self.users[user.username] = user
                self.known[User][user.pk] = user

    def department(self, value: str) -> Department:
        found = self.departments_by_code.get(value.lower())
        if found is None:
            named = self.departments_by_name.get(value.strip(), [])
            if len(named) > 1:
                raise CellError(
                    _("department name “%(value)s” is ambiguous; use its code") % {"value": value}
                )
            found = named[0] if named else None
        if found is None:
            raise CellError(_("unknown department “%(value)s”") % {"value": value})
        if self.scope is not None and found.pk not in self.scope:
            raise CellError(
                _("department “%(value)s” is outside your department scope") % {"value": value}
            )
        return found

    def location(self, value: str) -> Location:
        found = self.locations_by_code.get(value.lower())
        if found is None:
            named = self.locations_by_name.get(value.strip(), [])
            if len(named) > 1:
                raise CellError(
                    _("location name “%(value)s” is ambiguous; use its code") % {"value": value}
                )
            found = named[0] if named else None
        if found is None:
            raise CellError(_("unknown location “%(value)s”") % {"value": value})
        return found

    def code_system(self, value: str) -> str:
        if not value:
            return CURRENT_CODE_SYSTEM
        if value in self.code_systems:
            return value
        key = re.sub(r"[\s/\-_.〔〕\[\]（）()]", "", value).upper()
        system = CODE_SYSTEM_ALIASES.get(key)
        if system is None:
            raise CellError(
                _("unknown code system “%(value)s”") % {"value": value}, code_system=True
            )
        return system

    def category(self, system: str, code: str) -> Category:
        code = code.strip().upper()
        found = self.categories.get((system, code))
        if found is None:
            raise CellError(
                _("unknown category code “%(code)s” in %(system)s")
                % {"code": code, "system": system}
            )
        if system != CURRENT_CODE_SYSTEM:
            if found.maps_to_id is None:
                raise CellError(
                    _(
                        "%(system)s code “%(code)s” has no mapping to GB/T 14885-2022; ask the "
                        "administrator to add one"
                    )
                    % {"code": code, "system": system}
                )
            found = self.by_pk[found.maps_to_id]
        if found.code_system != CURRENT_CODE_SYSTEM:
            raise CellError(_("unknown category code “%(code)s”") % {"code": code})
        if found.pk in self.group_ids:
            raise CellError(
                _("category %(code)s %(name)s is a group; choose one of its leaf categories")
                % {"code": found.code, "name": found.name}
            )
        return found


def _chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _changeable(actor):
    return Asset.objects.all() if actor is None else permissions.changeable_assets(actor)


def plan_import(*, actor, table: spreadsheets.Table) -> Plan:
    """Check every row and work out what applying the file would do; writes nothing."""
    header_map = map_headers(table.headers)
    labels = header_map.labels
    refs = _References(actor)
    errors: list[RowError] = []
    rows: list[PlannedRow] = []

    def error(row: PlannedRow, key: str, message: str, value: str = ""):
        errors.append(RowError(row.number, labels.get(key, ""), message, value))

    # 1. Read each cell.
    project_codes: set[str] = set()
    usernames: set[str] = set()
    cells: dict[int, dict[str, Any]] = {}
    for number, values in table.rows:
        row = PlannedRow(number=number)
        for index, key in header_map.by_index.items():
            value = values[index] if index < len(values) else None
            text = _text(value)
            if text == "":
                continue
            row.raw[key] = text
        project_codes.update([row.raw["project"]] if "project" in row.raw else [])
        usernames.update([row.raw["custodian_user"]] if "custodian_user" in row.raw else [])
        cells[number] = {
            key: (values[index] if index < len(values) else None)
            for index, key in header_map.by_index.items()
        }
        rows.append(row)
    refs.load_projects(project_codes)
    refs.load_users(usernames)

    for row in rows:
        values = cells.pop(row.number)
        for key, text in row.raw.items():
            column = COLUMN_BY_KEY[key]
            try:
                if key in ("tag", "parent", "code_system", "category"):
                    continue
                if column.kind == T:
                    row.fields[key] = parse_text(key, values[key])
                elif column.kind == MONEY:
                    row.fields[key] = parse_money(values[key])
                elif column.kind == INT:
                    row.fields[key] = parse_int(values[key], low=1, high=1200)
                elif column.kind == DATE:
                    row.fields[key] = parse_date(values[key])
                elif column.kind == BOOL:
                    row.fields[key] = parse_bool(values[key])
                elif column.kind == CHOICE:
                    row.fields[key] = parse_choice(key, values[key], refs.choice_indexes[key])
                elif key in ("owner_department", "managing_department", "using_department"):
                    row.fields[key] = refs.department(text)
                elif key == "location":
                    row.fields[key] = refs.location(text)
                elif key == "project":
                    if text not in refs.projects:
                        raise CellError(
                            _("unknown delegated-build project “%(value)s”") % {"value": text}
                        )
                    row.fields[key] = refs.projects[text]
                elif key == "custodian_user":
                    if text not in refs.users:
                        raise CellError(_("unknown user “%(value)s”") % {"value": text})
                    row.fields[key] = refs.users[text]
            except CellError as problem:
                error(row, key, problem.message, text)
        if "category" in row.raw:
            try:
                system = refs.code_system(row.raw.get("code_system", ""))
                row.fields["category"] = refs.category(system, row.raw["category"])
            except CellError as problem:
                key = "code_system" if problem.code_system else "category"
                key = key if key in labels else "category"
                error(row, key, problem.message, row.raw.get(key, ""))
        if "tag" in row.raw:
            row.raw["tag"] = tags.normalise(row.raw["tag"])
        row.parent_ref = row.raw.get("parent", "")
        row.status = row.fields.pop("status", None)
        row.install_mode = row.fields.pop("install_mode", None)
        row.location = row.fields.pop("location", None)
        if problem := services.acquisition_date_error(row.fields.get("acquired_on")):
            error(row, "acquired_on", problem)

    # 2. Duplicates within the file (a serial number only where it is the row's identity).
    for key in ("tag", "legacy_number", "serial_number"):
        seen: dict[str, PlannedRow] = {}
        for row in rows:
            value = row.raw.get(key)
            if not value or (key == "serial_number" and _identity(row) != "serial_number"):
                continue
            if value in seen:
                error(
                    row,
                    key,
                    _("“%(value)s” appears again (first in row %(row)s)")
                    % {"value": value, "row": seen[value].number},
                    value,
                )
            else:
                seen[value] = row

    # 3. Existing cards, matched on tag or legacy number within the actor's scope.
    changeable = _changeable(actor)
    wanted_tags = {row.raw["tag"] for row in rows if row.raw.get("tag")}
    wanted_legacy = {row.raw["legacy_number"] for row in rows if row.raw.get("legacy_number")}
    wanted_serials = {row.raw["serial_number"] for row in rows if _identity(row) == "serial_number"}
    for row in rows:
        if row.parent_ref:
            wanted_tags.add(tags.normalise(row.parent_ref))
            wanted_legacy.add(row.parent_ref)
    by_tag: dict[str, Asset] = {}
    by_legacy: dict[str, list[Asset]] = defaultdict(list)
    related = ("category", "owner_department", "location", "parent")
    for chunk in _chunks(sorted(wanted_tags)):
        for asset in changeable.filter(tag__in=chunk).select_related(*related):
            by_tag[asset.tag] = asset
    for chunk in _chunks(sorted(wanted_legacy)):
        for asset in changeable.filter(legacy_number__in=chunk).select_related(*related):
            by_legacy[asset.legacy_number].append(asset)
    by_serial: dict[str, list[Asset]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted_serials)):
        for asset in changeable.filter(serial_number__in=chunk).select_related(*related):
            by_serial[asset.serial_number].append(asset)

    file_by_tag = {row.raw["tag"]: row for row in rows if row.raw.get("tag")}
    file_by_legacy = {row.raw["legacy_number"]: row for row in rows if row.raw.get("legacy_number")}
    claimed: dict[int, PlannedRow] = {}
    for row in rows:
        tag = row.raw.get("tag")
        legacy = row.raw.get("legacy_number")
        if tag:
            row.existing = by_tag.get(tag)
            if row.existing is None:
                error(row, "tag", _("unknown asset “%(value)s”") % {"value": tag}, tag)
        elif legacy:
            matches = by_legacy.get(legacy, [])
            if len(matches) > 1:
                error(
                    row,
                    "legacy_number",
                    _("%(count)s cards have legacy number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": legacy},
                    legacy,
                )
            elif matches:
                row.existing = matches[0]
        elif _identity(row) == "serial_number":
            serial = row.raw["serial_number"]
            matches = by_serial.get(serial, [])
            if len(matches) > 1:
                error(
                    row,
                    "serial_number",
                    _("%(count)s cards have serial number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": serial},
                    serial,
                )
            elif matches:
                row.existing = matches[0]
        if row.existing is not None:
            other = claimed.get(row.existing.pk)
            if other is not None:
                error(
                    row,
                    "tag" if tag else "legacy_number",
                    _("this card is already changed by row %(row)s") % {"row": other.number},
                    tag or legacy,
                )
            claimed[row.existing.pk] = row

    # 4. Hosts: a row of this file (by tag or legacy number) or a card in scope.
    for row in rows:
        ref = row.parent_ref
        if not ref:
            continue
        target = file_by_tag.get(tags.normalise(ref)) or file_by_legacy.get(ref)
        if target is not None:
            if target is row:
                error(row, "parent", _("an asset cannot be its own host"), ref)
                continue
            if target.existing is not None and target.existing.status == Asset.Status.RETIRED:
                # The import never changes a retired card, so it stays unable to hold components.
                error(
                    row, "parent", _("host %(tag)s is retired") % {"tag": target.existing.tag}, ref
                )
                continue
            row.parent_row = target
            row.parent_asset = target.existing
            continue
        asset = by_tag.get(tags.normalise(ref))
        if asset is None:
            matches = by_legacy.get(ref, [])
            if len(matches) > 1:
                error(
                    row,
                    "parent",
                    _("%(count)s cards have legacy number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": ref},
                    ref,
                )
                continue
            asset = matches[0] if matches else None
        if asset is None:
            error(row, "parent", _("unknown host asset “%(value)s”") % {"value": ref}, ref)
            continue
        if asset.status == Asset.Status.RETIRED:
            error(row, "parent", _("host %(tag)s is retired") % {"tag": asset.tag}, ref)
            continue
        row.parent_asset = asset

    # 5. What each row does.
    for row in rows:
        if row.existing is None:
            _plan_create(row, error)
        else:
            _plan_update(row, error, refs)

    # 6. Cycles among hosts, with the register's current links for cards outside the file.
    order = _order_rows(rows, errors, labels)
    plan = Plan(
        rows=rows, errors=sorted(errors, key=lambda e: (e.row, e.column)), header_map=header_map
    )
    plan.order = order
    plan.warnings = _unmatched_warnings(rows)
    plan.examples = _example_rows(rows)
    return plan


def _example_rows(rows: list[PlannedRow]) -> list[int]:
    """Rows that are still the template's own examples (same legacy number and name): applying
    would register them as real cards, which are never deleted."""
    examples = {(row["legacy_number"], row["name"]) for row in template_example_rows()}
    return [
        row.number
        for row in rows
        if (row.raw.get("legacy_number", ""), row.raw.get("name", "")) in examples
    ]


def _identity(row: PlannedRow) -> str:
    """What a row is matched on: its tag, else its legacy number, else its serial number."""
    for key in ("tag", "legacy_number", "serial_number"):
        if row.raw.get(key):
            return key
    return ""


def _unmatched_warnings(rows: list[PlannedRow]) -> list[dict]:
    """In a re-import (some rows match cards), the rows that match none: they would be
    registered as new cards, possibly a second card for an asset already in the register."""
    if not any(row.existing is not None for row in rows):
        return []
    warnings = []
    for row in rows:
        if row.existing is not None:
            continue
        key = _identity(row)
        if key:
            message = _(
                "no card in your scope has this %(column)s “%(value)s”; it will be registered "
                "as a new card"
            ) % {"column": column_label(key), "value": row.raw[key]}
        else:
            message = _(
                "no tag, legacy number or serial number to match it with; it will be "
                "registered as a new card"
            )
        warnings.append({"row": row.number, "message": message})
    return warnings


def _plan_create(row: PlannedRow, error) -> None:
    row.action = CREATE
    for key in ("name", "category", "owner_department"):
        if key not in row.raw:
            error(row, key, _("required for a new card"))
    status = row.status or Asset.Status.IN_USE
    if status == Asset.Status.RETIRED:
        error(row, "status", _("retired cards are not imported"))
    elif status == Asset.Status.LENT:
        error(row, "status", _("register the card first, then lend it with the status action"))
    mode = row.install_mode or Asset.InstallMode.STANDALONE
    row.install_mode = mode
    if mode == Asset.InstallMode.EMBEDDED and not row.parent_ref:
        error(row, "install_mode", _("an embedded device needs a host"))
    acquired, in_service = row.fields.get("acquired_on"), row.fields.get("in_service_on")
    if acquired and in_service and in_service < acquired:
        error(row, "in_service_on", _("the in-service date is before the acquisition date"))


def _plan_update(row: PlannedRow, error, refs: _References) -> None:
    asset = row.existing
    changes: dict[str, list] = {}
    for key, value in row.fields.items():
        if key == "owner_department":
            if value.pk != asset.owner_department_id:
                error(
                    row,
                    key,
                    _("the owning department changes only through a handover"),
                    row.raw.get(key, ""),
                )
            continue
        model_field = Asset._meta.get_field(key)
        if model_field.is_relation:
            # Compare ids; the card's current object is needed only to show a change.
            before_id = getattr(asset, model_field.attname)
            if before_id != value.pk:
                model = model_field.related_model
                before = refs.known[model].get(before_id) if before_id is not None else None
                if before is None and before_id is not None:
                    before = getattr(asset, key)
                changes[key] = [before, value]
            continue
        before = getattr(asset, key)
        if before != value:
            changes[key] = [before, value]
    acquired = row.fields.get("acquired_on", asset.acquired_on)
    in_service = row.fields.get("in_service_on", asset.in_service_on)
    if acquired and in_service and in_service < acquired:
        error(row, "in_service_on", _("the in-service date is before the acquisition date"))
    inside = (row.install_mode or asset.install_mode) in services.PHYSICALLY_INSIDE
    if row.location is not None and row.location.pk != asset.location_id:
        if inside and (row.parent_ref or asset.parent_id):
            row.location = None  # it follows its host
        else:
            changes["location"] = [asset.location, row.location]
    parent_changes = False
    if row.parent_ref:
        new_parent_pk = row.parent_asset.pk if row.parent_asset is not None else None
        if row.parent_row is not None and row.parent_row.existing is None:
            parent_changes = True
        elif new_parent_pk != asset.parent_id:
            parent_changes = True
        if parent_changes:
            changes["parent"] = [asset.parent, row.parent_ref]
    if row.install_mode and row.install_mode != asset.install_mode:
        kinds = {row.install_mode, asset.install_mode}
        if kinds == {Asset.InstallMode.STANDALONE, Asset.InstallMode.RACK_MOUNTED}:
            error(
                row,
                "install_mode",
                _("installation changes between standalone and rack-mounted on the card page"),
            )
        else:
            changes["install_mode"] = [asset.install_mode, row.install_mode]
            if row.install_mode == Asset.InstallMode.EMBEDDED and not (
                row.parent_ref or asset.parent_id
            ):
                error(row, "install_mode", _("an embedded device needs a host"))
    if row.status and row.status != asset.status:
        if row.status == Asset.Status.RETIRED:
            error(row, "status", _("retire cards with the retire action, not by import"))
        elif row.status == Asset.Status.LENT:
            error(row, "status", _("lend a card with the status action, not by import"))
        elif row.status not in services.ASSET_TRANSITIONS.get(asset.status, set()):
            error(
                row,
                "status",
                _("a card cannot go from “%(old)s” to “%(new)s”")
                % {
                    "old": Asset.Status(asset.status).label,
                    "new": Asset.Status(row.status).label,
                },
            )
        else:
            changes["status"] = [asset.status, row.status]
    if changes and asset.status == Asset.Status.RETIRED:
        error(row, "", _("card %(tag)s is retired and cannot be changed") % {"tag": asset.tag})
    row.changes = changes
    row.action = UPDATE if changes else UNCHANGED


def _order_rows(rows: list[PlannedRow], errors: list[RowError], labels) -> list[PlannedRow]:
    """Hosts before their components; a cycle among hosts is an error on every row in it."""
    # Final parent of every file row, as a node id: ("row", n) or ("asset", pk).
    node_of_row = {}
    for row in rows:
        node_of_row[row.number] = (
            ("asset", row.existing.pk) if row.existing else ("row", row.number)
        )
    row_of_asset = {row.existing.pk: row for row in rows if row.existing}
    parent: dict[tuple, tuple | None] = {}
    for row in rows:
        node = node_of_row[row.number]
        if row.parent_row is not None:
            parent[node] = node_of_row[row.parent_row.number]
        elif row.parent_asset is not None:
            parent[node] = ("asset", row.parent_asset.pk)
        elif row.existing is not None:
            parent[node] = ("asset", row.existing.parent_id) if row.existing.parent_id else None
        else:
            parent[node] = None
    # Cards outside the file keep their parents: walk them up in batches.
    frontier = {p[1] for p in parent.values() if p and p[0] == "asset" and p[1] not in row_of_asset}
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        next_frontier = set()
        for chunk in _chunks(sorted(frontier)):
            for pk, parent_id in Asset.objects.filter(pk__in=chunk).values_list("pk", "parent_id"):
                parent[("asset", pk)] = ("asset", parent_id) if parent_id else None
                if parent_id and parent_id not in seen and parent_id not in row_of_asset:
                    next_frontier.add(parent_id)
        frontier = next_frontier
    # Find cycles.
    state: dict[tuple, int] = {}  # 1 = on the current path, 2 = done
    in_cycle: set[tuple] = set()
    for start in parent:
        path = []
        node = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle_start = path.index(node)
            in_cycle.update(path[cycle_start:])
        for item in path:
            state[item] = 2
    by_node = {node_of_row[row.number]: row for row in rows}
    for node in in_cycle:
        row = by_node.get(node)
        if row is not None:
            errors.append(
                RowError(
                    row.number,
                    labels.get("parent", ""),
                    _("the hosts form a cycle (a device inside itself)"),
                    row.parent_ref,
                )
            )
    if in_cycle:
        return []
    # Depth within the file decides the order: hosts first, rows in file order otherwise.
    depth: dict[int, int] = {}

    def depth_of(row: PlannedRow) -> int:
        if row.number in depth:
            return depth[row.number]
        chain = []
        current = row
        while current is not None and current.number not in depth:
            chain.append(current)
            current = current.parent_row
        base = depth[current.number] + 1 if current is not None else 0
        for item in reversed(chain):
            depth[item.number] = base
            base += 1
        return depth[row.number]

    for row in rows:
        row.depth = depth_of(row)
    return sorted(rows, key=lambda r: (r.depth, r.number))


# --------------------------------------------------------------------------------------------
# Applying


def execute_plan(*, plan: Plan, actor, note: str = "") -> dict[str, int]:
    """Apply a checked plan through the register services; call inside `transaction.atomic`.

    Rows run in the plan's order (hosts first), in batches of consecutive rows of one kind:
    new cards of one depth go to `services.register_assets`, cards whose changes are all plain
    fields to `services.update_assets` (a few statements per batch instead of a few per card).
    A card that is nested, moved or changes status goes through the per-action services. A
    service refusing a row raises `ImportHasErrors` naming the row, which rolls everything back.
    """
    if plan.errors:
        raise ImportHasErrors(errors=[e.as_dict() for e in plan.errors])
    labels = plan.header_map.labels
    creating = sum(1 for row in plan.order if row.action == CREATE)
    new_tags = iter(services.reserve_tags(count=creating)) if creating else iter(())
    # Only hosts named by another row need their new card kept; the rest are let go per batch.
    hosts = {row.parent_row.number for row in plan.rows if row.parent_row is not None}
    batch: list[PlannedRow] = []
    batch_kind = None

    def flush():
        if batch_kind == CREATE:
            _register(batch, actor, note, new_tags, hosts, labels)
        elif batch_kind == UPDATE:
            _update_plain(batch, actor, note, labels)

    for row in plan.order:
        if row.action == UNCHANGED:
            continue
        kind = _batch_kind(row)
        if batch and (
            kind != batch_kind or row.depth != batch[0].depth or len(batch) >= APPLY_BATCH
        ):
            flush()
            batch = []
        if kind is not None:
            batch.append(row)
            batch_kind = kind
        elif row.action == UPDATE:
            try:
                _update(row, actor, note)
            except (ValidationError, DomainError) as refusal:
                raise _row_refused(row, refusal, labels) from None
    if batch:
        flush()
    return plan.counts


def _batch_kind(row: PlannedRow) -> str | None:
    """CREATE or UPDATE for a row a bulk service takes; None for one that runs on its own."""
    if row.action == CREATE:
        return CREATE
    if row.action == UPDATE and all(key in services.PLAIN_FIELDS for key in row.changes):
        return UPDATE
    return None


def _row_refused(row: PlannedRow, refusal, labels) -> ImportHasErrors:
    """A service refused `row`: the error that names it and rolls the whole file back."""
    return ImportHasErrors(errors=[e.as_dict() for e in _refusal_errors(row, refusal, labels)])


def _refusal_errors(row: PlannedRow, refusal, labels) -> list[RowError]:
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        return [
            RowError(row.number, labels.get(name, name), " ".join(messages))
            for name, messages in refusal.message_dict.items()
        ]
    message = getattr(refusal, "message", None) or " ".join(getattr(refusal, "messages", []))
    return [RowError(row.number, "", str(message))]


def _host_of(row: PlannedRow) -> Asset | None:
    if row.parent_row is not None:
        return row.parent_row.created or row.parent_row.existing
    return row.parent_asset


def _register(batch: list[PlannedRow], actor, note: str, new_tags, hosts: set[int], labels):
    """Register the new cards of `batch` (one depth: their hosts exist already)."""
    cards = []
    for row in batch:
        fields = dict(row.fields)
        fields.update(
            status=row.status or Asset.Status.IN_USE,
            install_mode=row.install_mode,
            parent=_host_of(row),
            location=row.location,
        )
        cards.append(fields)
    try:
        created = services.register_assets(
            actor=actor, cards=cards, note=note, issued_tags=[next(new_tags) for _ in batch]
        )
    except services.CardRefused as refusal:
        raise _row_refused(batch[refusal.index], refusal, labels) from None
    for row, asset in zip(batch, created, strict=True):
        if row.number in hosts:
            row.created = asset


def _plain_fields(row: PlannedRow) -> dict[str, Any]:
    return {k: v for k, v in row.fields.items() if k in services.PLAIN_FIELDS}


def _update_plain(batch: list[PlannedRow], actor, note: str, labels) -> None:
    """Change the plain fields of the cards of `batch` (rows whose changes are all plain)."""
    try:
        services.update_assets(
            actor=actor, updates=[(row.existing, _plain_fields(row)) for row in batch], note=note
        )
    except services.CardRefused as refusal:
        raise _row_refused(batch[refusal.index], refusal, labels) from None


def _update(row: PlannedRow, actor, note: str) -> None:
    asset = row.existing
    plain = _plain_fields(row)
    if plain:
        asset = services.update_asset(asset=asset, actor=actor, fields=plain, note=note)
    if "parent" in row.changes or "install_mode" in row.changes:
        host = _host_of(row) if row.parent_ref else asset.parent
        mode = row.install_mode or asset.install_mode
        asset = services.nest_asset(
            asset=asset,
            actor=actor,
            parent=host,
            embedded=mode == Asset.InstallMode.EMBEDDED,
            note=note,
        )
    if "location" in row.changes:
        asset = services.move_asset(asset=asset, actor=actor, location=row.location, note=note)
    if "status" in row.changes:
        asset = services.change_status(asset=asset, actor=actor, status=row.status, note=note)


# --------------------------------------------------------------------------------------------
# Jobs (the services behind the API, the pages and the command)


@contextmanager
def savepoints_off(using=None):
    """Let the services' nested `atomic` blocks run without savepoints inside the import.

    Each savepoint is a PostgreSQL subtransaction, and past 64 of them in one transaction every
    visibility check consults pg_subtrans, so a 50,000-row import slows down quadratically. The
    import is all-or-nothing anyway: a refusal in any service marks the outer transaction for
    rollback (Django's `needs_rollback`), which is what a savepoint-less nested block does.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("savepoints_off() must run inside transaction.atomic()")
    # The tag counter row is created with get_or_create, which needs a savepoint to survive a
    # concurrent insert; make sure it exists before savepoints go.
    TagSequence.objects.get_or_create(
        prefix=settings.YIKA_TAG_PREFIX.upper(), year=timezone.localdate().year
    )
    features = connection.features
    had_own = "uses_savepoints" in vars(features)
    before = features.uses_savepoints
    features.uses_savepoints = False
    try:
        yield
    finally:
        if had_own:
            features.uses_savepoints = before
        else:
            del features.uses_savepoints  # back to the backend's class default


def _guard(job: ImportJob, to: str) -> None:
    if to not in IMPORT_TRANSITIONS.get(job.state, set()):
        if job.state == State.INVALID:
            raise ImportHasErrors(
                _("The file has %(count)s error(s); fix them and upload it again.")
                % {"count": job.error_count},
                errors=job.errors,
                job=job,
            )
        raise TransitionNotAllowed(
            _("This import was applied already; nothing was changed."), code="import_applied"
        )


def safe_file_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:200] or "upload"


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing anything over the size limit before reading it all."""
    size = getattr(upload, "size", None)
    if size is not None and size > spreadsheets.MAX_UPLOAD_BYTES:
        raise spreadsheets.SpreadsheetError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    data = upload.read(spreadsheets.MAX_UPLOAD_BYTES + 1)
    if len(data) > spreadsheets.MAX_UPLOAD_BYTES:
        raise spreadsheets.SpreadsheetError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    return data


def _require_importer(actor) -> None:
    if actor is None or not permissions.can_change_assets(actor):
        raise NotInScope()


def create_import_job(
    *, actor, upload=None, data: bytes | None = None, name: str = ""
) -> ImportJob:
    """Read and check an uploaded ledger; keep the file privately with its preview and errors.

    A file that is no spreadsheet, or lacks required columns, raises `SpreadsheetError` (400)
    and nothing is stored. Row errors make an `invalid` job that lists them.
    """
    _require_importer(actor)
    if upload is not None:
        data = read_upload(upload)
        name = name or getattr(upload, "name", "")
    table = spreadsheets.read_table(data or b"")
    plan = plan_import(actor=actor, table=table)
    counts = plan.counts
    job = ImportJob(
        created_by=actor,
        original_name=safe_file_name(name),
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_kind=table.kind,
        encoding=table.encoding or "",
        state=State.INVALID if plan.errors else State.READY,
        row_count=len(plan.rows),
        create_count=counts[CREATE],
        update_count=counts[UPDATE],
        unchanged_count=counts[UNCHANGED],
        error_count=len(plan.errors),
        columns={
            "mapped": plan.header_map.labels,
            "ignored": plan.header_map.ignored,
            "unmatched": plan.warnings,
            "examples": plan.examples,
        },
        preview=plan.preview(),
        errors=[e.as_dict() for e in plan.errors],
    )
    with transaction.atomic():
        job.file.save(f"{uuid.uuid4().hex}.{table.kind}", ContentFile(data), save=False)
        job.save()
    return job


def apply_import_job(*, job: ImportJob, actor) -> ImportJob:
    """Apply every row of a ready job in one transaction, or none.

    The file is checked again inside the transaction (the register may have changed since the
    preview). Errors turn the job `invalid`, keep the register unchanged and raise
    `ImportHasErrors`; applying twice is a 409 that changes nothing.
    """
    try:
        return _apply(job=job, actor=actor)
    except ImportHasErrors as failure:
        if failure.job is None:
            failure.job = _mark_invalid(job=job, errors=failure.errors)
        raise


@transaction.atomic
def _apply(*, job: ImportJob, actor) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if actor is None or job.created_by_id != actor.pk:
        raise NotInScope()
    _guard(job, State.APPLIED)
    with job.file.open("rb") as handle:
        data = handle.read()
    table = spreadsheets.read_table(data)
    plan = plan_import(actor=actor, table=table)
    with savepoints_off():
        counts = execute_plan(
            plan=plan,
            actor=actor,
            note=_("Imported from %(name)s (import #%(id)s)")
            % {"name": job.original_name, "id": job.pk},
        )
    job.state = State.APPLIED
    job.applied_at = timezone.now()
    job.create_count = counts[CREATE]
    job.update_count = counts[UPDATE]
    job.unchanged_count = counts[UNCHANGED]
    job.save(
        update_fields=["state", "applied_at", "create_count", "update_count", "unchanged_count"]
    )
    return job


@transaction.atomic
def _mark_invalid(*, job: ImportJob, errors: list[dict]) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state == State.READY:
        job.state = State.INVALID
        job.errors = errors
        job.error_count = len(errors)
        job.save(update_fields=["state", "errors", "error_count"])
    return job


# --------------------------------------------------------------------------------------------
# Template and error file


def template_columns(lang: str | None = None) -> list[spreadsheets.Column]:
    chinese = (lang or translation.get_language() or "zh-hans").startswith("zh")
    kinds = {MONEY: spreadsheets.MONEY, INT: spreadsheets.INTEGER, DATE: spreadsheets.DATE}
    return [
        spreadsheets.Column(
            c.key, (c.zh if chinese else c.en) + ("*" if c.required else ""), kinds.get(c.kind, T)
        )
        for c in COLUMNS
    ]


# The template's example rows use the codes `manage.py seed_demo` creates (departments of the
# big data centre, its machine-room rack and offices), so the template uploaded unchanged against
# the demo data previews cleanly; they show a current-system code, a host with an embedded
# component and a legacy (CG2013) code mapped to today's classification.
def template_example_rows() -> list[dict]:
    return [
        {
            "legacy_number": "GD-2019-0001",
            "name": "服务器",
            "code_system": CURRENT_CODE_SYSTEM,
            "category": "A02010104",
            "brand": "浪潮",
            "model": "NF5280M6",
            "serial_number": "SN-EXAMPLE-0001",
            "acquired_on": date(2021, 6, 1),
            "in_service_on": date(2021, 6, 15),
            "original_value": Decimal("56000.00"),
            "owner_department": "DSJZX",
            "using_department": "DSJZX-YWB",
            "custodian": "张三",
            "location": "HQ-B1-F3-301-A01",
            "status": "在用",
        },
        {
            "legacy_number": "GD-2019-0002",
            "name": "密码卡",
            "code_system": CURRENT_CODE_SYSTEM,
            "category": "A02010300",
            "brand": "三未信安",
            "model": "SJK1926",
            "original_value": Decimal("12000.00"),
            "owner_department": "DSJZX",
            "using_department": "DSJZX-YWB",
            "parent": "GD-2019-0001",
            "install_mode": "嵌入主机",
            "status": "在用",
        },
        {
            "legacy_number": "GD-2019-0003",
            "name": "台式计算机",
            "code_system": "CG2013",
            "category": "A02010104",
            "brand": "联想",
            "model": "开天 M90z",
            "acquired_on": date(2020, 3, 10),
            "original_value": Decimal("6200.00"),
            "owner_department": "DSJZX",
            "using_department": "DSJZX-ZHB",
            "custodian": "李四",
            "location": "HQ-B1-F5-1",
            "status": "在用",
        },
    ]


def instruction_columns() -> list[spreadsheets.Column]:
    return [
        spreadsheets.Column("zh", "中文列名", width=20),
        spreadsheets.Column("en", "English header", width=24),
        spreadsheets.Column("required", _("Required"), width=10),
        spreadsheets.Column("help", _("What to enter"), width=80),
    ]


def instruction_rows() -> list[dict]:
    rows = []
    for column in COLUMNS:
        help_text = str(column.help) if column.help else ""
        if column.kind == CHOICE:
            help_text = "、".join(str(label) for _, label in CHOICE_MODELS[column.key].choices)
        elif column.kind == DATE:
            help_text = _("Date, e.g. 2024-03-31")
        elif column.kind == MONEY:
            help_text = _("Amount in yuan, 2 decimals, not negative")
        elif column.key in ("owner_department", "managing_department", "using_department"):
            help_text = _("Department code or exact name")
        elif column.key == "location":
            help_text = _("Location code or exact name")
        rows.append(
            {
                "zh": column.zh,
                "en": column.en,
                "required": _("Yes") if column.required else "",
                "help": help_text,
            }
        )
    rows.append(
        {
            "zh": "",
            "en": "",
            "required": "",
            "help": _(
                "Rows are matched on tag, else on legacy number: a match updates that card, "
                "otherwise a new card is registered. Empty cells leave a card's value unchanged. "
                "The file is applied completely or not at all."
            ),
        }
    )
    return rows


def error_columns() -> list[spreadsheets.Column]:
    return [
        spreadsheets.Column("row", _("Row"), spreadsheets.INTEGER, width=8),
        spreadsheets.Column("column", _("Column"), width=18),
        spreadsheets.Column("value", _("Value"), width=24),
        spreadsheets.Column("message", _("Error"), width=60),
    ]
