"""The ledger's columns: headers in Chinese or English, how a cell is read, the template.

`map_headers` maps each header, Chinese or English, to a card field (a missing required column
is a file error); the `parse_*` functions read a cell's value or raise `CellError` in plain
words; `RowError` is one row's error as the preview and the error file show it. The template,
its instructions and the error file are built from the same `COLUMNS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import spreadsheets
from assets.errors import DomainError
from assets.forms import TOO_LONG
from assets.models import CURRENT_CODE_SYSTEM, Asset
from config import formatting
from config import spreadsheets as writer

MAX_VALUE = Decimal("999999999999.99")
MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2100, 12, 31)


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
# Custody and upkeep (issue 18): read in an export, ignored by an import.
EXPORT_ONLY_HEADERS += ("应还日期", "Due back on", "最近维修", "Last repair", "维保截止", "Contract cover until")  # fmt: skip
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
            % {"columns": formatting.text_list(column_label(c.key) for c in missing)}
        )
    # A plain ledger (no tag, no legacy number) is a first import: every row is a new card.
    # Re-imports match on tag, legacy number or serial number; `plan_import` warns of the rows
    # it could not match.
    if problems and ignored:
        # Named as on a preview: a required column is often one of these, misspelt.
        problems.append(
            _("Columns not imported: %(columns)s.") % {"columns": formatting.text_list(ignored)}
        )
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


class ImportHasErrors(DomainError):
    """The file's rows have errors; nothing was written (400)."""

    status_code = 400
    code = "import_has_errors"
    default_message = gettext_lazy("The file has errors; nothing was imported.")

    def __init__(self, message=None, *, errors=None, job=None):
        super().__init__(message)
        self.errors = errors or []
        self.job = job


class Phrase:
    """A message kept as its msgid and values until it is said: `plan` builds its errors with it
    (imported as `_`, so the catalogues still collect the msgids) and each reader of a stored
    job reads them in their own language, not the uploader's (`in_each_language`)."""

    def __init__(self, msgid: str, params=None):
        self.msgid = msgid
        self.params = params

    def __mod__(self, params) -> Phrase:
        return Phrase(self.msgid, params)

    def __str__(self) -> str:
        text = _(self.msgid)
        return text if self.params is None else text % self.params

    def __call__(self) -> str:
        return str(self)


def in_each_language(say) -> dict[str, str]:
    """`say()` (a `Phrase` or a function answering a message) in every language of the site."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(say())
    return texts


def said(stored: dict) -> str:
    """A stored error's or warning's message in the reader's language (`messages`), or as
    written (`message`) where the job predates `messages`."""
    texts = stored.get("messages") or {}
    lang = (translation.get_language() or "zh-hans").lower()
    for code, text in texts.items():
        if lang == code or lang.split("-")[0] == code.split("-")[0]:
            return text
    return stored.get("message", "")


def said_errors(errors: list[dict]) -> list[dict]:
    """Stored errors with `message` (and `text`) in the reader's language."""
    out = []
    for error in errors:
        message = said(error)
        out.append(
            {
                **error,
                "message": message,
                "text": error_text(error["row"], error["column"], message),
            }
        )
    return out


@dataclass
class RowError:
    row: int
    column: str
    message: Any  # a text, a `Phrase`, or a function answering the text in the active language
    value: str = ""

    def as_dict(self) -> dict:
        say = self.message if callable(self.message) else (lambda: self.message)
        message = str(say())
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": message,
            "messages": in_each_language(say),
            "text": error_text(self.row, self.column, message),
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


def cell_text(value: Any) -> str:
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
    text = cell_text(value)
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise CellError(TOO_LONG % {"limit_value": limit, "show_value": len(text)})
    return text


def parse_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("not an amount"))
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = (
            cell_text(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        )
        text = text.removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount in yuan") % {"value": cell_text(value)})
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
        text = cell_text(value)
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
        text = cell_text(value)
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
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no (是/否)") % {"value": cell_text(value)})


def choice_index(choices) -> dict[str, str]:
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
        # The English labels before issue 14 (files exported then still import).
        "provisional (暂估)": "provisional",
        "final accounts (决算)": "final",
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
    text = cell_text(value).strip().lower()
    if text in index:
        return index[text]
    if text in EXTRA_CHOICE_WORDS.get(key, {}):
        return EXTRA_CHOICE_WORDS[key][text]
    allowed = formatting.text_list(str(label) for _, label in CHOICE_MODELS[key].choices)
    return_error = _("unknown value “%(value)s”; use one of: %(allowed)s")
    raise CellError(return_error % {"value": cell_text(value), "allowed": allowed})


# --------------------------------------------------------------------------------------------
# Template and error file


def template_columns(lang: str | None = None) -> list[writer.Column]:
    chinese = (lang or translation.get_language() or "zh-hans").startswith("zh")
    kinds = {MONEY: writer.MONEY, INT: writer.INTEGER, DATE: writer.DATE}
    return [
        writer.Column(
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


def instruction_columns() -> list[writer.Column]:
    return [
        writer.Column("zh", "中文列名", width=20),
        writer.Column("en", "English header", width=24),
        writer.Column("required", _("Required"), width=10),
        writer.Column("help", _("What to enter"), width=80),
    ]


def instruction_rows() -> list[dict]:
    rows = []
    for column in COLUMNS:
        help_text = str(column.help) if column.help else ""
        if column.kind == CHOICE:
            help_text = formatting.text_list(
                str(label) for _, label in CHOICE_MODELS[column.key].choices
            )
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


def error_columns() -> list[writer.Column]:
    return [
        writer.Column("row", _("Row"), writer.INTEGER, width=8),
        writer.Column("column", _("Column"), width=18),
        writer.Column("value", _("Value"), width=24),
        writer.Column("message", _("Error"), width=60),
    ]
