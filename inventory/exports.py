"""The stocktake result as XLSX, PDF and a per-line CSV (formula-safe, Chinese embedded)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from config import formatting
from inventory import selectors
from inventory.models import Difference, LineResult, StocktakeCampaign

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a text cell inert in a spreadsheet: a leading = + - @ tab or CR gets a `'` (ASVS
    1.2.10). Numbers stay numbers. (Swap for assets.spreadsheets once it exists.)"""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


TOTAL_COLUMNS = [
    ("book_count", "Book quantity"),
    ("book_value", "Book original value"),
    ("book_net", "Book net value"),
    ("counted_count", "Counted quantity"),
    ("counted_value", "Counted original value"),
    ("counted_net", "Counted net value"),
    ("surplus_count", "Surplus"),
    ("shortage_count", "Shortage"),
    ("shortage_value", "Shortage value"),
    ("damaged_count", "Damaged"),
    ("damaged_value", "Damaged value"),
    ("mismatch_count", "Information differs"),
    ("mismatch_value", "Information differs value"),
    ("match_rate_count", "Match rate by count (%)"),
    ("match_rate_value", "Match rate by value (%)"),
    ("label_missing_rate", "Label-missing rate (%)"),
]
MONEY = {"book_value", "book_net", "counted_value", "counted_net"} | {
    k for k, _label in TOTAL_COLUMNS if k.endswith("_value")
}
LINE_COLUMNS = [
    ("tag", "Tag"),
    ("kind", "Kind"),
    ("name", "Name"),
    ("model", "Model"),
    ("serial_number", "Serial number"),
    ("category__code", "Category"),
    ("department__code", "Department"),
    ("location__code", "Book location"),
    ("custodian", "Custodian"),
    ("book_quantity", "Book quantity"),
    ("original_value", "Book original value"),
    ("net_value", "Book net value"),
    ("counted_quantity", "Counted quantity"),
    ("result", "Result"),
    ("verify_method", "Verified by"),
    ("counted_location__code", "Found at"),
    ("counted_by__username", "Counted by"),
    ("counted_at", "Counted at"),
    ("scanned_code", "Scanned code"),
    ("note", "Note"),
    ("manual_reason", "Reason for a manual count"),
]


def _number(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _total_row(label_code: str, label_name: str, row: dict) -> list:
    return [neutralise(label_code), neutralise(label_name)] + [
        _number(row[key]) for key, _label in TOTAL_COLUMNS
    ]


def report_xlsx(*, campaign: StocktakeCampaign, report: dict) -> bytes:
    """The result workbook: summary, by department, by category, differences, lines."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    header = [_("Code"), _("Name")] + [_(label) for _key, label in TOTAL_COLUMNS]
    summary = workbook.create_sheet(_("Summary"))
    info = report["campaign"]
    summary.append([_("Campaign"), neutralise(info["name"])])
    summary.append([_("Year"), info["year"]])
    summary.append([_("Reference date"), info["reference_date"]])
    summary.append([_("SHA-256"), report.get("sha256") or ""])
    summary.append([])
    summary.append(header)
    summary.append(_total_row("", _("Total"), report["totals"]))
    for title, key in ((_("By department"), "by_department"), (_("By category"), "by_category")):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in report[key]:
            sheet.append(_total_row(row["code"], row["name"], row))
    differences = workbook.create_sheet(_("Differences"))
    differences.append(
        [_("Kind"), _("State"), _("Tag"), _("Name"), _("Department"), _("Original value")]
        + [_("Reason"), _("Responsible person"), _("Proposed treatment")]
    )
    for item in selectors.difference_lines(campaign=campaign).iterator(chunk_size=2000):
        differences.append(
            [
                str(Difference.Kind(item.kind).label),
                str(Difference.State(item.state).label),
                neutralise(item.line.tag or item.line.scanned_code),
                neutralise(item.line.name or item.line.note),
                neutralise(item.line.department.code if item.line.department else ""),
                _number(item.line.original_value),
                neutralise(item.reason),
                neutralise(item.responsible),
                neutralise(item.treatment),
            ]
        )
    lines = workbook.create_sheet(_("Lines"))
    lines.append([_(label) for _key, label in LINE_COLUMNS])
    for row in _line_rows(campaign):
        lines.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _line_rows(campaign: StocktakeCampaign, queryset=None) -> Iterator[list]:
    from inventory.models import StocktakeLine

    queryset = queryset if queryset is not None else StocktakeLine.objects.filter(campaign=campaign)
    keys = [key for key, _label in LINE_COLUMNS]
    for values in (
        queryset.order_by("kind", "tag", "id").values_list(*keys).iterator(chunk_size=5000)
    ):
        row = []
        for key, value in zip(keys, values, strict=True):
            if key in ("original_value", "net_value"):
                row.append(_number(value))
            elif key == "counted_at":
                row.append(value.isoformat() if value else "")
            elif isinstance(value, int | float) or value is None:
                row.append(value if value is not None else "")
            else:
                row.append(neutralise(str(value)))
        yield row


class _Echo:
    def write(self, value):
        return value


def lines_csv(*, campaign: StocktakeCampaign, queryset=None) -> Iterable[str]:
    """The per-line CSV (RFC 4180 quoting, UTF-8 BOM for spreadsheet programs), streamed."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_(label) for _key, label in LINE_COLUMNS])
    for row in _line_rows(campaign, queryset):
        yield writer.writerow(row)


def report_pdf(*, campaign: StocktakeCampaign, report: dict) -> bytes:
    """The result report: header, totals by department and category, differences, sign-off."""
    from django.conf import settings
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from labels import pdf

    styles = pdf.paragraph_styles(8)
    info = report["campaign"]
    story = [
        pdf.para(_("Stocktake result report"), styles["title"]),
        pdf.para(
            _("%(name)s · year %(year)s · reference date %(date)s")
            % {"name": info["name"], "year": info["year"], "date": info["reference_date"]},
            styles["body"],
        ),
        pdf.para(
            _("Scope: departments %(d)s; locations %(l)s; categories %(c)s")
            % {
                "d": ", ".join(info["scope"]["departments"]) or _("all"),
                "l": ", ".join(info["scope"]["locations"]) or _("all"),
                "c": ", ".join(info["scope"]["categories"]) or _("all"),
            },
            styles["small"],
        ),
        Spacer(1, 3 * mm),
    ]
    columns = [
        ("book_count", _("Book qty")),
        ("book_value", _("Book value")),
        ("book_net", _("Book net")),
        ("counted_count", _("Counted")),
        ("counted_value", _("Counted value")),
        ("surplus_count", _("Surplus")),
        ("shortage_count", _("Shortage")),
        ("damaged_count", _("Damaged")),
        ("mismatch_count", _("Differs")),
        ("match_rate_count", _("Match % (count)")),
        ("match_rate_value", _("Match % (value)")),
        ("label_missing_rate", _("Label missing %")),
    ]

    def table(rows):
        header = [_("Code"), _("Name")] + [label for _key, label in columns]
        body = [
            [row["code"], row["name"]] + [_pdf_cell(key, row[key]) for key, _label in columns]
            for row in rows
        ]
        widths = [22 * mm, 38 * mm] + [18 * mm] * len(columns)
        return pdf.make_table(
            header, body, col_widths=widths, styles=styles, right_columns=range(2, 14)
        )

    total = dict(report["totals"], code="", name=_("Total"))
    story += [pdf.para(_("Totals by department"), styles["heading"])]
    story.append(table([*report["by_department"], total]))
    story += [pdf.para(_("Totals by category"), styles["heading"])]
    story.append(table([*report["by_category"], total]))
    story.append(pdf.para(_("Differences"), styles["heading"]))
    rows = []
    for item in selectors.difference_lines(campaign=campaign)[:2000]:
        rows.append(
            [
                str(Difference.Kind(item.kind).label),
                item.line.tag or item.line.scanned_code,
                item.line.name or item.line.note,
                item.line.department.code if item.line.department else "",
                formatting.money(item.line.original_value),
                item.reason,
                item.responsible,
                item.treatment,
            ]
        )
    if rows:
        story.append(
            pdf.make_table(
                [
                    _("Kind"),
                    _("Tag"),
                    _("Name"),
                    _("Department"),
                    _("Original value"),
                    _("Reason"),
                    _("Responsible person"),
                    _("Proposed treatment"),
                ],
                rows,
                col_widths=[24 * mm, 30 * mm, 45 * mm, 22 * mm, 22 * mm, 50 * mm, 25 * mm, 49 * mm],
                styles=styles,
                right_columns=[4],
            )
        )
    else:
        story.append(pdf.para(_("No differences."), styles["body"]))
    story.append(Spacer(1, 6 * mm))
    story.append(pdf.para(_("Sign-off"), styles["heading"]))
    story.append(
        pdf.signature_table(
            [_("Counters"), _("Department heads"), _("Asset office")], styles=styles, width=250 * mm
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            pdf.escape_for_paragraph("SHA-256: " + (report.get("sha256") or _("not frozen"))),
            styles["small"],
        )
    )
    out = io.BytesIO()
    pdf.build_a4_pdf(
        out,
        story,
        title=_("Stocktake result report"),
        header_left=settings.YIKA_ORG_NAME or info["name"],
        header_right=f"{info['year']} · {info['reference_date']}",
        footer_left=info["name"],
        is_landscape=True,
    )
    return out.getvalue()


RESULT_LABELS = dict(LineResult.choices)


def _pdf_cell(key: str, value) -> str:
    """A report PDF cell as every page shows it: money as ¥, rates as % (— when empty)."""
    if key in ("match_rate_count", "match_rate_value", "label_missing_rate"):
        return formatting.rate(value)
    if key in MONEY:
        return formatting.money(value)
    return "" if value is None else str(value)
