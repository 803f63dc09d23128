"""The register reports as files: XLSX through the one spreadsheet writer (numbers stay numbers,
text is formula-safe, Chinese headers, a totals row) and PDF through `labels.pdf` (the CJK
font, the scope line, the sign-off block, the SHA-256 of a frozen copy).

Both take the report dictionary `assets.reports.selectors` builds (or a frozen copy's), so a
file says what the JSON says.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config import formatting
from config import spreadsheets as sx

BY_LABELS = {
    "category": lambda: _("by category"),
    "department": lambda: _("by owning department"),
    "status": lambda: _("by status"),
    "value_type": lambda: _("by value type"),
}


def title(report: dict) -> str:
    if report["report"] == "balance":
        return pgettext("report kind", "Asset balance")
    return pgettext("report kind", "Asset movements")


def subtitle(report: dict) -> str:
    grouping = BY_LABELS[report["by"]]()
    if report.get("level"):
        grouping += " · " + _("level %(level)s") % {"level": report["level"]}
    if report["report"] == "balance":
        return _("As at the end of %(on)s, %(grouping)s") % {
            "on": report["on"],
            "grouping": grouping,
        }
    return _("From %(start)s to %(end)s, %(grouping)s") % {
        "start": report["from"],
        "end": report["to"],
        "grouping": grouping,
    }


def filename(report: dict, extension: str) -> str:
    if report["report"] == "balance":
        return f"balance-{report['on']}-{report['by']}.{extension}"
    return f"movements-{report['from']}-{report['to']}-{report['by']}.{extension}"


def _d(value) -> Decimal:
    return Decimal(value)


# ------------------------------------------------------------------------------- XLSX


def _key_columns() -> list[sx.Column]:
    return [
        sx.Column("key", pgettext("report column", "Code"), width=14),
        sx.Column("name", pgettext("report column", "Name"), width=24),
    ]


def _balance_columns() -> list[sx.Column]:
    return [
        *_key_columns(),
        sx.Column("count", _("Quantity"), sx.INTEGER),
        sx.Column("original_value", _("Original value (CNY)"), sx.MONEY, width=16),
        sx.Column("accumulated_depreciation", _("Accumulated depreciation (CNY)"), sx.MONEY, 16),
        sx.Column("net_value", _("Net book value (CNY)"), sx.MONEY, width=16),
    ]


def _balance_rows(report: dict) -> list[dict]:
    def row(data, key, name):
        return {
            "key": key,
            "name": name,
            "count": data["count"],
            "original_value": _d(data["original_value"]),
            "accumulated_depreciation": _d(data["accumulated_depreciation"]),
            "net_value": _d(data["net_value"]),
        }

    rows = [row(r, r["key"], r["name"]) for r in report["rows"]]
    rows.append(row(report["totals"], "", pgettext("report row", "Total")))
    return rows


# Movements: the flat columns of the main sheet, each (key path, header, kind).
def _movement_fields() -> list[tuple[tuple[str, str | None], str, str]]:
    return [
        (("opening", "count"), _("Opening quantity"), sx.INTEGER),
        (("opening", "original_value"), _("Opening original value"), sx.MONEY),
        (("opening", "accumulated_depreciation"), _("Opening depreciation"), sx.MONEY),
        (("additions_total", "count"), _("Additions quantity"), sx.INTEGER),
        (("additions_total", "original_value"), _("Additions value"), sx.MONEY),
        (("disposals_total", "count"), _("Disposals quantity"), sx.INTEGER),
        (("disposals_total", "original_value"), _("Disposals value"), sx.MONEY),
        (("transfers_in", "count"), _("Transfers in quantity"), sx.INTEGER),
        (("transfers_in", "original_value"), _("Transfers in value"), sx.MONEY),
        (("transfers_out", "count"), _("Transfers out quantity"), sx.INTEGER),
        (("transfers_out", "original_value"), _("Transfers out value"), sx.MONEY),
        (("revaluation", None), _("Revaluation"), sx.MONEY),
        (("depreciation", None), _("Depreciation of the period"), sx.MONEY),
        (("closing", "count"), _("Closing quantity"), sx.INTEGER),
        (("closing", "original_value"), _("Closing original value"), sx.MONEY),
        (("closing", "accumulated_depreciation"), _("Closing depreciation"), sx.MONEY),
        (("closing", "net_value"), _("Closing net value"), sx.MONEY),
    ]


def _movement_value(row: dict, path: tuple[str, str | None], kind: str):
    value = row[path[0]] if path[1] is None else row[path[0]][path[1]]
    return int(value) if kind == sx.INTEGER else _d(value)


def _movement_rows(report: dict) -> tuple[list[sx.Column], list[list]]:
    fields = _movement_fields()
    columns = _key_columns() + [
        sx.Column(f"c{i}", header, kind, width=14) for i, (_p, header, kind) in enumerate(fields)
    ]
    rows = []
    for row, key, name in [
        *[(r, r["key"], r["name"]) for r in report["rows"]],
        (report["totals"], "", pgettext("report row", "Total")),
    ]:
        rows.append([key, name] + [_movement_value(row, p, k) for p, _h, k in fields])
    return columns, rows


def _method_sheet(report: dict, line: str) -> tuple[list[sx.Column], list[list]]:
    columns = [
        *_key_columns(),
        sx.Column("method", _("Method"), width=20),
        sx.Column("count", _("Quantity"), sx.INTEGER),
        sx.Column("original_value", _("Original value (CNY)"), sx.MONEY, width=16),
        sx.Column("accumulated_depreciation", _("Accumulated depreciation (CNY)"), sx.MONEY, 16),
    ]
    rows = []
    groups = [*[(r, r["key"], r["name"]) for r in report["rows"]]]
    groups.append((report["totals"], "", pgettext("report row", "Total")))
    for row, key, name in groups:
        for item in row[line]:
            rows.append(
                [
                    key,
                    name,
                    item["label"],
                    item["count"],
                    _d(item["original_value"]),
                    _d(item["accumulated_depreciation"]),
                ]
            )
    return columns, rows


def _about_sheet(report: dict, sha256: str = "") -> tuple[str, list[sx.Column], list[list]]:
    columns = [
        sx.Column("item", pgettext("report about", "Item"), width=16),
        sx.Column("value", pgettext("report about", "Value"), width=60),
    ]
    rows = [
        [_("Report"), title(report)],
        [_("Period"), subtitle(report)],
        [_("Scope"), report["scope"]],
        [_("Unit"), settings.YIKA_ORG_NAME or ""],
    ]
    if report.get("code_system"):
        rows.append([_("Code system"), formatting.code_system(report["code_system"])])
    rows.append(["SHA-256", sha256 or _("not frozen")])
    return _("About"), columns, rows


def report_xlsx(report: dict, *, sha256: str = "") -> bytes:
    """The report as a workbook: the figures with their totals row, then (movements) additions
    and disposals by method, then what the report is and whose cards it counts."""
    about = _about_sheet(report, sha256)
    if report["report"] == "balance":
        return sx.xlsx_bytes(
            _balance_columns(), _balance_rows(report), sheet_title=_("Balance"), extra=[about]
        )
    columns, rows = _movement_rows(report)
    additions = (_("Additions by method"), *_method_sheet(report, "additions"))
    disposals = (_("Disposals by method"), *_method_sheet(report, "disposals"))
    return sx.xlsx_bytes(
        columns, rows, sheet_title=_("Movements"), extra=[additions, disposals, about]
    )


# -------------------------------------------------------------------------------- PDF


def report_pdf(report: dict, *, sha256: str = "") -> bytes:
    """The report on A4 landscape: title, period, scope, the figures with their total, the
    sign-off, and the SHA-256 of the frozen copy (or "not frozen")."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer

    from labels import pdf

    styles = pdf.paragraph_styles(8)
    frame = pdf.frame_width(is_landscape=True)
    story = [
        pdf.para(title(report), styles["title"]),
        pdf.para(subtitle(report), styles["body"]),
        pdf.para(report["scope"], styles["small"]),
    ]
    if report.get("code_system"):
        story.append(
            pdf.para(
                _("Categories: %(system)s")
                % {"system": formatting.code_system(report["code_system"])},
                styles["small"],
            )
        )
    story.append(Spacer(1, 3 * mm))
    if report["report"] == "balance":
        columns = _balance_columns()
        body = [
            [
                row["key"],
                row["name"],
                str(row["count"]),
                formatting.money(row["original_value"]),
                formatting.money(row["accumulated_depreciation"]),
                formatting.money(row["net_value"]),
            ]
            for row in _balance_rows(report)
        ]
        story.append(
            pdf.make_table(
                [str(c.header) for c in columns],
                body,
                width=frame,
                styles=styles,
                right_columns=range(2, 6),
                nowrap_columns=[0],
            )
        )
    else:
        columns, rows = _movement_rows(report)
        body = [
            [
                value
                if index < 2
                else (str(value) if columns[index].kind == sx.INTEGER else formatting.money(value))
                for index, value in enumerate(row)
            ]
            for row in rows
        ]
        story.append(
            pdf.make_table(
                [str(c.header) for c in columns],
                body,
                width=frame,
                styles=styles,
                right_columns=range(2, len(columns)),
                nowrap_columns=[0],
            )
        )
        for line, heading in (
            ("additions", _("Additions by method")),
            ("disposals", _("Disposals by method")),
        ):
            method_columns, method_rows = _method_sheet(report, line)
            if not method_rows:
                continue
            story.append(pdf.para(heading, styles["heading"]))
            story.append(
                pdf.make_table(
                    [str(c.header) for c in method_columns],
                    [
                        [
                            r[0],
                            r[1],
                            r[2],
                            str(r[3]),
                            formatting.money(r[4]),
                            formatting.money(r[5]),
                        ]
                        for r in method_rows
                    ],
                    width=frame,
                    styles=styles,
                    right_columns=range(3, 6),
                    nowrap_columns=[0],
                )
            )
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            [
                pdf.para(_("Sign-off"), styles["heading"]),
                pdf.signature_table(
                    [_("Prepared by"), _("Asset office"), _("Head of the unit")],
                    styles=styles,
                    width=frame,
                ),
            ]
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(pdf.para("SHA-256: " + (sha256 or _("not frozen")), styles["small"]))
    out = io.BytesIO()
    pdf.build_a4_pdf(
        out,
        story,
        title=title(report),
        header_left=settings.YIKA_ORG_NAME or title(report),
        header_right=subtitle(report),
        footer_left=title(report),
        is_landscape=True,
    )
    return out.getvalue()
