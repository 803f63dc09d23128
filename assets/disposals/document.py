"""The disposal application form (资产处置申请表) as PDF.

The unit, method, grounds, the items with their values and totals, the approval tier and body,
the approval (once given) and signature blocks, with a QR code back to the case's page. Any state
renders on demand; the executed case's form is rendered once at execution and stored with its
SHA-256, like the handover certificate, whose helpers (and `labels.pdf`) draw it.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Spacer, Table, TableStyle

from assets.handovers.certificate import _day, _money, _person, _QRFlowable, stored_pdf_response
from assets.models import DisposalCase, DisposalItem
from labels import pdf

ROWS_PER_TABLE = 60


def disposal_url(case: DisposalCase) -> str:
    """The case's page, built from SITE_URL (never the request's Host)."""
    return settings.SITE_URL + reverse("assets:disposal-detail", args=[case.number])


def _tier_text(case: DisposalCase) -> str:
    if not case.approver_role:
        return _("Chosen at submission")
    if case.tier_up_to is None:
        band = _("no upper limit")
    else:
        band = _("below %(limit)s") % {"limit": _money(case.tier_up_to)}
    return _("%(body)s (total original value %(band)s)") % {
        "body": case.approving_body,
        "band": band,
    }


def render_application(case: DisposalCase) -> bytes:
    """The application form's PDF bytes for `case`, in its current state."""
    styles = pdf.paragraph_styles(9)
    small = pdf.paragraph_styles(7.5)
    items = list(
        DisposalItem.objects.filter(case=case)
        .select_related("asset", "asset__category", "asset__parent")
        .order_by("asset__tag")
    )
    url = disposal_url(case)
    receiver = "-"
    if case.method == DisposalCase.Method.TRANSFER and case.to_department:
        receiver = case.to_department.name
    elif case.counterparty:
        receiver = case.counterparty
    story: list = [pdf.para(_("Asset disposal application (资产处置申请表)"), styles["title"])]
    head = [
        [_("Number"), case.number],
        [_("Disposing unit"), case.department.name],
        [_("Method"), case.get_method_display()],
        [_("Grounds"), case.get_grounds_display()],
        [_("Reason"), case.reason or "-"],
        [_("Receiving party"), receiver],
        [_("Evidence"), case.evidence or "-"],
        [_("Approving body"), _tier_text(case)],
        [_("State"), case.get_state_display()],
    ]
    if case.approval_no:
        head.append(
            [
                _("Approval"),
                _("%(ref)s of %(date)s")
                % {"ref": case.approval_no, "date": _day(case.approved_on)},
            ]
        )
    if case.executed_on:
        head.append([_("Executed on"), _day(case.executed_on)])
    if case.handover_id:
        head.append([_("Transfer handover"), case.handover.number])
    frame = pdf.frame_width()
    qr_size = 30 * pdf.mm
    qr_column = qr_size + 4 * pdf.mm
    head_table = pdf.make_table(
        [_("Field"), _("Details")], head, width=frame - qr_column, zebra=False
    )
    top = Table(
        [[head_table, [_QRFlowable(url, qr_size), pdf.para(url, styles["small"])]]],
        colWidths=[frame - qr_column, qr_column],
        hAlign="LEFT",
    )
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 4 * pdf.mm),
            ]
        )
    )
    story += [top, Spacer(1, 4 * pdf.mm), pdf.para(_("Items disposed of"), styles["heading"])]
    rows = [
        [
            str(index),
            item.asset.tag,
            item.asset.name,
            " ".join(filter(None, [item.asset.brand, item.asset.model])) or "-",
            _day(item.asset.in_service_on),
            _money(item.original_value),
            _money(item.net_value),
        ]
        for index, item in enumerate(items, start=1)
    ]
    header = [
        "#",
        _("Tag"),
        _("Asset name"),
        _("Model"),
        _("In service since"),
        _("Original value (CNY)"),
        _("Net value (CNY)"),
    ]
    # One table per block of rows: reportlab splits one long table across pages in quadratic
    # time (a 5,000-card case took 18 s as one table); each block repeats the header.
    widths = pdf.column_widths(header, rows, width=frame, size=7.5, nowrap_columns=[1, 4])
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        story.append(
            pdf.make_table(
                header,
                rows[start : start + ROWS_PER_TABLE],
                width=frame,
                col_widths=widths,
                right_columns=[0, 5, 6],
                nowrap_columns=[1, 4],
                styles=small,
            )
        )
    story.append(pdf.para(_("Totals"), styles["heading"]))
    story.append(
        pdf.make_table(
            [_("Number of items"), _("Original value (CNY)"), _("Net value (CNY)")],
            [
                [
                    str(len(items)),
                    _money(sum((i.original_value for i in items), 0)),
                    _money(sum((i.net_value for i in items), 0)),
                ]
            ],
            width=frame,
            right_columns=[0, 1, 2],
            zebra=False,
        )
    )
    story.append(pdf.para(_("Signatories"), styles["heading"]))
    story.append(
        pdf.make_table(
            [_("Step"), _("By"), _("Date")],
            [
                [
                    pgettext("disposal step", "Prepared"),
                    _person(case.created_by),
                    _day(case.created_at),
                ],
                [
                    pgettext("disposal step", "Submitted"),
                    _person(case.submitted_by),
                    _day(case.submitted_at),
                ],
                [
                    pgettext("disposal step", "Decided"),
                    _person(case.decided_by),
                    _day(case.decided_at),
                ],
                [
                    pgettext("disposal step", "Executed"),
                    _person(case.executed_by),
                    _day(case.executed_at),
                ],
            ],
            width=frame,
            nowrap_columns=[2],
            zebra=False,
        )
    )
    story.append(Spacer(1, 3 * pdf.mm))
    story.append(
        pdf.signature_table(
            [
                _("Disposing unit: %(name)s") % {"name": case.department.name},
                _("Asset management office"),
                _("Approving body: %(body)s") % {"body": case.approving_body or "-"},
            ],
            styles=styles,
            width=frame,
        )
    )
    buffer = io.BytesIO()
    title = _("Disposal application %(number)s") % {"number": case.number}
    pdf.build_a4_pdf(
        buffer,
        story,
        title=title,
        header_left=settings.YIKA_ORG_NAME or _("Yika asset register"),
        header_right=case.number,
        footer_left=title,
    )
    return buffer.getvalue()


def application_response(case: DisposalCase):
    """The application form as a download: the stored one (with its SHA-256) for an executed
    case, a fresh rendering otherwise. The page and the API answer with this one response."""
    if case.state == DisposalCase.State.EXECUTED:
        return stored_pdf_response(
            case.document_file, filename=case.number, sha256=case.document_sha256
        )
    from django.http import HttpResponse

    response = HttpResponse(render_application(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
