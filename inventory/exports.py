"""The stocktake result as XLSX, PDF and a per-line CSV, in the reader's language.

Headers are translated; codes are written as words (result, kind, how a line was verified); money
is a number with a ¥ format in XLSX and a plain decimal in CSV. Cells go through
`config.spreadsheets` (formula-safe, typed); the PDF embeds the Chinese font.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from assets.models import User
from config import formatting
from config import spreadsheets as sheets
from config.spreadsheets import DATETIME, INTEGER, MONEY, TEXT, Column
from inventory import selectors
from inventory.models import (
    Difference,
    LineResult,
    StocktakeCampaign,
    StocktakeLine,
    VerifyMethod,
    away_for_repair,
)

# Money cells: a number, shown as yuan with thousands separators.
YUAN = '"¥"#,##0.00'
RATE = "0.00"


TOTAL_COLUMNS = [
    ("book_count", pgettext_lazy("stocktake export", "Book quantity"), INTEGER),
    ("book_value", pgettext_lazy("stocktake export", "Book original value"), MONEY),
    ("book_net", pgettext_lazy("stocktake export", "Book net value"), MONEY),
    ("counted_count", pgettext_lazy("stocktake export", "Counted quantity"), INTEGER),
    ("counted_value", pgettext_lazy("stocktake export", "Counted original value"), MONEY),
    ("counted_net", pgettext_lazy("stocktake export", "Counted net value"), MONEY),
    ("by_holder_count", pgettext_lazy("stocktake export", "Confirmed by holder quantity"), INTEGER),
    ("surplus_count", pgettext_lazy("stocktake export", "Surplus quantity"), INTEGER),
    ("shortage_count", pgettext_lazy("stocktake export", "Shortage quantity"), INTEGER),
    ("shortage_value", pgettext_lazy("stocktake export", "Shortage original value"), MONEY),
    ("pending_count", pgettext_lazy("stocktake export", "Pending quantity"), INTEGER),
    ("damaged_count", pgettext_lazy("stocktake export", "Damaged quantity"), INTEGER),
    ("damaged_value", pgettext_lazy("stocktake export", "Damaged original value"), MONEY),
    ("mismatch_count", pgettext_lazy("stocktake export", "Information differs quantity"), INTEGER),
    (
        "mismatch_value",
        pgettext_lazy("stocktake export", "Information differs original value"),
        MONEY,
    ),
    ("match_rate_count", pgettext_lazy("stocktake export", "Match rate by count (%)"), TEXT),
    ("match_rate_value", pgettext_lazy("stocktake export", "Match rate by value (%)"), TEXT),
    ("label_missing_rate", pgettext_lazy("stocktake export", "Label-missing rate (%)"), TEXT),
]
LINE_COLUMNS = [
    ("tag", pgettext_lazy("stocktake export", "Tag"), TEXT),
    ("kind", pgettext_lazy("stocktake export", "Line kind"), TEXT),
    ("name", pgettext_lazy("stocktake export", "Asset name"), TEXT),
    ("model", pgettext_lazy("stocktake export", "Model"), TEXT),
    ("serial_number", pgettext_lazy("stocktake export", "Serial number"), TEXT),
    ("category__code", pgettext_lazy("stocktake export", "Category code"), TEXT),
    ("category__name", pgettext_lazy("stocktake export", "Category"), TEXT),
    ("department__code", pgettext_lazy("stocktake export", "Department code"), TEXT),
    ("department__name", pgettext_lazy("stocktake export", "Department"), TEXT),
    ("location__name", pgettext_lazy("stocktake export", "Book location"), TEXT),
    ("custodian", pgettext_lazy("stocktake export", "Custodian"), TEXT),
    ("book_quantity", pgettext_lazy("stocktake export", "Book quantity"), INTEGER),
    ("original_value", pgettext_lazy("stocktake export", "Book original value"), MONEY),
    ("net_value", pgettext_lazy("stocktake export", "Book net value"), MONEY),
    ("counted_quantity", pgettext_lazy("stocktake export", "Counted quantity"), INTEGER),
    ("result", pgettext_lazy("stocktake export", "Result"), TEXT),
    ("verify_method", pgettext_lazy("stocktake export", "Verified by"), TEXT),
    ("counted_location__name", pgettext_lazy("stocktake export", "Found at"), TEXT),
    ("counted_by_name", pgettext_lazy("stocktake export", "Counted by"), TEXT),
    ("counted_at", pgettext_lazy("stocktake export", "Counted at"), DATETIME),
    ("holder_confirmed_by_name", pgettext_lazy("stocktake export", "Confirmed by holder"), TEXT),
    (
        "holder_confirmed_at",
        pgettext_lazy("stocktake export", "Confirmed by holder at"),
        DATETIME,
    ),
    ("scanned_code", pgettext_lazy("stocktake export", "Scanned code"), TEXT),
    ("note", pgettext_lazy("stocktake export", "Note"), TEXT),
    ("manual_reason", pgettext_lazy("stocktake export", "Reason for a manual count"), TEXT),
]
# Codes written as the words their choices give them, in the reader's language.
LINE_WORDS = {
    "kind": dict(StocktakeLine.Kind.choices),
    # "Pending" alone is another app's word in Chinese (待定); a line not yet counted is 待盘.
    "result": {
        **dict(LineResult.choices),
        LineResult.PENDING: pgettext_lazy("stocktake result", "Pending"),
    },
    "verify_method": dict(VerifyMethod.choices),
}


def _columns(spec) -> list[Column]:
    return [
        Column(key, header, kind, number_format=YUAN if kind == MONEY else None)
        for key, header, kind in spec
    ]


def _total_columns() -> list[Column]:
    return [
        Column("code", pgettext_lazy("stocktake export", "Code")),
        Column("name", pgettext_lazy("stocktake export", "Name"), width=24),
        *(
            Column(key, header, kind, number_format=YUAN if kind == MONEY else RATE)
            if kind != INTEGER
            else Column(key, header, kind)
            for key, header, kind in TOTAL_COLUMNS
        ),
    ]


def _figure(value, kind: str):
    """A figure of the result (stored as text for money) as the number it is."""
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(str(value))
    return value


def group_name(row: dict, group: str) -> str:
    """A total row's name; the row of lines with no category (surplus, which is on no books) or
    no department says so instead of staying blank."""
    if row["code"] or row["name"]:
        return row["name"]
    if group == "category":
        return str(pgettext_lazy("stocktake export", "No category (surplus)"))
    return str(pgettext_lazy("stocktake export", "No department"))


def _total_row(code: str, name: str, row: dict) -> dict:
    # A result frozen before a column existed has no figure for it.
    return {
        "code": code,
        "name": name,
        **{key: _figure(row.get(key), kind) for key, _label, kind in TOTAL_COLUMNS},
    }


def coverage_text(report: dict) -> str:
    """What the report covers: the whole campaign, or only the reader's share of it."""
    coverage = report.get("coverage") or {"whole": True}
    if coverage["whole"]:
        return _("Covers the whole campaign.")
    department = coverage.get("department")
    return _(
        "Covers only your share of the campaign (%(user)s, %(department)s): the lines you may "
        "read. The whole-campaign report is for auditors and administrators."
    ) % {
        "user": coverage.get("user_name") or coverage["user"],
        "department": department["name"] if department else "—",
    }


def report_xlsx(*, campaign: StocktakeCampaign, report: dict, user) -> bytes:
    """The result workbook: summary, by department and by category (each with its total row),
    differences and lines — of the lines `user` may read, as `report` (selectors.report for the
    same user) says."""
    info = report["campaign"]
    summary = [
        (pgettext_lazy("stocktake export", "Campaign"), info["name"]),
        (pgettext_lazy("stocktake export", "Year"), info["year"]),
        (pgettext_lazy("stocktake export", "Reference date"), info["reference_date"]),
        (
            pgettext_lazy("stocktake export", "State"),
            str(StocktakeCampaign.State(info["state"]).label),
        ),
        (pgettext_lazy("stocktake export", "Coverage"), coverage_text(report)),
        ("SHA-256", report.get("sha256") or _("not frozen")),
    ]
    totals = _total_columns()
    total = _total_row("", str(pgettext_lazy("stocktake export", "Total")), report["totals"])

    def grouped(group):
        rows = report[f"by_{group}"]
        yield from (_total_row(row["code"], group_name(row, group), row) for row in rows)
        yield total

    differences = selectors.differences_visible_to(user=user, campaign=campaign)
    lines = selectors.lines_visible_to(user=user, campaign=campaign)
    return sheets.xlsx_bytes(
        [
            Column("item", pgettext_lazy("stocktake export", "Item"), width=16),
            Column("value", pgettext_lazy("stocktake export", "Value"), width=60),
        ],
        ([str(label), value] for label, value in summary),
        sheet_title=str(pgettext_lazy("stocktake export", "Summary")),
        extra=[
            (pgettext_lazy("stocktake export", "By department"), totals, grouped("department")),
            (pgettext_lazy("stocktake export", "By category"), totals, grouped("category")),
            (
                pgettext_lazy("stocktake export", "Differences"),
                _difference_columns(),
                _difference_rows(differences),
            ),
            (
                pgettext_lazy("stocktake export", "Lines"),
                _columns(LINE_COLUMNS),
                _line_rows(campaign, lines),
            ),
        ],
    )


def _difference_columns() -> list[Column]:
    return _columns(
        [
            ("kind", pgettext_lazy("stocktake export", "Difference kind"), TEXT),
            ("state", pgettext_lazy("stocktake export", "State"), TEXT),
            ("tag", pgettext_lazy("stocktake export", "Tag"), TEXT),
            ("name", pgettext_lazy("stocktake export", "Asset name"), TEXT),
            ("department", pgettext_lazy("stocktake export", "Department"), TEXT),
            ("original_value", pgettext_lazy("stocktake export", "Book original value"), MONEY),
            ("reason", pgettext_lazy("stocktake export", "Reason"), TEXT),
            ("responsible", pgettext_lazy("stocktake export", "Responsible person"), TEXT),
            ("treatment", pgettext_lazy("stocktake export", "Proposed treatment"), TEXT),
        ]
    )


def _difference_rows(differences) -> Iterator[dict]:
    for item in differences.iterator(chunk_size=2000):
        line = item.line
        yield {
            "kind": str(Difference.Kind(item.kind).label),
            "state": str(Difference.State(item.state).label),
            "tag": line.tag or line.scanned_code,
            "name": line.name or line.note,
            "department": line.department.name if line.department else "",
            "original_value": line.original_value,
            "reason": item.reason,
            "responsible": item.responsible,
            "treatment": item.treatment,
        }


def _line_rows(campaign: StocktakeCampaign, queryset) -> Iterator[dict]:
    """The rows of `queryset`, lines of `campaign` already scoped to the reader, with codes as
    words."""
    keys = [key for key, _label, _kind in LINE_COLUMNS]
    for values in (
        queryset.annotate(
            counted_by_name=User.name_expression("counted_by__"),
            holder_confirmed_by_name=User.name_expression("holder_confirmed_by__"),
        )
        .order_by("kind", "tag", "id")
        .values_list(*keys, "away_at")
        .iterator(chunk_size=5000)
    ):
        row = dict(zip(keys, values[:-1], strict=True))
        if not row["counted_location__name"] and row["verify_method"] == VerifyMethod.REPAIR_RECORD:
            # Found at the repairer, as the lines page says it.
            row["counted_location__name"] = away_for_repair(values[-1])
        for key, words in LINE_WORDS.items():
            if row[key]:
                row[key] = str(words.get(row[key], row[key]))
        yield row


def lines_csv(*, campaign: StocktakeCampaign, queryset) -> Iterable[str]:
    """The per-line CSV (RFC 4180 quoting, UTF-8 BOM for spreadsheet programs), streamed; money
    as plain decimals."""
    return sheets.iter_csv(_columns(LINE_COLUMNS), _line_rows(campaign, queryset))


def report_pdf(*, campaign: StocktakeCampaign, report: dict, user) -> bytes:
    """The result report: header, totals by department and category, differences, sign-off —
    of the lines `user` may read, as `report` (selectors.report for the same user) says."""
    from django.conf import settings
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    from labels import pdf

    styles = pdf.paragraph_styles(8)
    info = report["campaign"]
    # Codes are for machines; the report is read by people, who know the names.
    scope = selectors.scope_names(campaign=campaign, scope=info["scope"])
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
                "d": formatting.text_list(scope["departments"]) or _("all"),
                "l": formatting.text_list(scope["locations"]) or _("all"),
                "c": formatting.text_list(scope["categories"]) or _("all"),
            },
            styles["small"],
        ),
        pdf.para(coverage_text(report), styles["body"]),
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
        ("pending_count", pgettext("stocktake figure", "Pending")),
        ("damaged_count", _("Damaged")),
        ("mismatch_count", _("Differs")),
        # The values carry their "%", so the headers do not.
        ("match_rate_count", _("Match rate by count")),
        ("match_rate_value", _("Match rate by value")),
        ("label_missing_rate", _("Label-missing rate")),
    ]

    frame = pdf.frame_width(is_landscape=True)

    money = {key for key, _label, kind in TOTAL_COLUMNS if kind == MONEY}

    rates = {"match_rate_count", "match_rate_value", "label_missing_rate"}

    def figure(row, key):
        # As every page shows it: money as ¥ with separators, rates as % ("—" alone when empty).
        value = row.get(key)
        if key in rates:
            return formatting.rate(value)
        if key in money:
            return formatting.money(value)
        return "" if value is None else str(value)

    def table(rows, group):
        header = [
            str(pgettext_lazy("stocktake export", "Code")),
            str(pgettext_lazy("stocktake export", "Name")),
        ] + [label for _key, label in columns]
        body = [
            [row["code"], row["name"] if row is total else group_name(row, group)]
            + [figure(row, key) for key, _label in columns]
            for row in rows
        ]
        return pdf.make_table(
            header,
            body,
            width=frame,
            styles=styles,
            right_columns=range(2, 2 + len(columns)),
            nowrap_columns=[0],
        )

    total = dict(report["totals"], code="", name=str(pgettext_lazy("stocktake export", "Total")))
    story += [pdf.para(_("Totals by department"), styles["heading"])]
    story.append(table([*report["by_department"], total], "department"))
    story += [pdf.para(_("Totals by category"), styles["heading"])]
    story.append(table([*report["by_category"], total], "category"))
    story.append(pdf.para(_("Differences"), styles["heading"]))
    rows = []
    for item in selectors.differences_visible_to(user=user, campaign=campaign)[:2000]:
        rows.append(
            [
                str(Difference.Kind(item.kind).label),
                str(Difference.State(item.state).label),
                item.line.tag or item.line.scanned_code,
                item.line.name or item.line.note,
                item.line.department.name if item.line.department else "",
                formatting.money(item.line.original_value),
                item.reason,
                item.responsible,
                item.treatment,
            ]
        )
    if rows:
        story.append(
            pdf.make_table(
                [str(column.header) for column in _difference_columns()],
                rows,
                width=frame,
                styles=styles,
                right_columns=[5],
                nowrap_columns=[2],
            )
        )
    else:
        story.append(pdf.para(_("No differences."), styles["body"]))
    story.append(Spacer(1, 6 * mm))
    # The heading and every party's row on one page: a sign-off split over two pages leaves
    # signatures under a page that does not show what they sign.
    story.append(
        KeepTogether(
            [
                pdf.para(_("Sign-off"), styles["heading"]),
                pdf.signature_table(
                    [_("Counters"), _("Department heads"), _("Asset office")],
                    styles=styles,
                    width=frame,
                ),
            ]
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            pdf.escape_for_paragraph(
                "SHA-256: "
                + (
                    report.get("sha256")
                    or (
                        _("not frozen")
                        if report.get("coverage", {"whole": True})["whole"]
                        else _("only the whole-campaign report carries one")
                    )
                )
            ),
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
