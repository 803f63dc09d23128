"""The disposal application form (资产处置申请表) as PDF.

The unit, method, grounds, the items with their values and totals, the approval tier and body,
the approval (once given) and signature blocks, with a QR code back to the case's page. Any state
renders on demand; the executed case's form is rendered once at execution and stored with its
SHA-256, like the handover certificate; both are drawn with `assets.documents` (and
`labels.pdf`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Spacer

from assets import documents
from assets.attachments import selectors as attachment_selectors
from assets.models import DisposalCase, DisposalItem
from labels import pdf


def disposal_url(case: DisposalCase) -> str:
    """The case's page, built from SITE_URL (never the request's Host)."""
    return settings.SITE_URL + reverse("assets:disposal-detail", args=[case.number])


def _tier_text(case: DisposalCase) -> str:
    if not case.approver_role:
        return _("Chosen at submission")
    if case.tier_up_to is None:
        band = _("no upper limit")
    else:
        band = _("below %(limit)s") % {"limit": documents.money(case.tier_up_to)}
    return _("%(body)s (total original value %(band)s)") % {
        "body": case.approving_body,
        "band": band,
    }


def _evidence_rows(case: DisposalCase) -> list[list[str]]:
    """The reference the clerk typed, then one row per attached file (kind: name)."""
    rows = [[_("Evidence"), case.evidence or "-"]]
    rows += [
        [_("Evidence file"), _("%(kind)s: %(name)s") % {"kind": kind, "name": name}]
        for kind, name in attachment_selectors.listed_in_document(
            kind="disposal", subject_id=case.pk
        )
    ]
    return rows


def render_application(case: DisposalCase) -> bytes:
    """The application form's PDF bytes for `case`, in its current state."""
    styles = pdf.paragraph_styles(9)
    small = pdf.paragraph_styles(7.5)
    # Values, not cards: a 5,000-card case built 16,000 model instances for five fields.
    items = list(
        DisposalItem.objects.filter(case=case)
        .order_by("asset__tag")
        .values_list(
            "asset__tag",
            "asset__name",
            "asset__brand",
            "asset__model",
            "asset__in_service_on",
            "original_value",
            "net_value",
        )
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
        [_("Reason"), case.reason_shown or "-"],
        [_("Receiving party"), receiver],
        *_evidence_rows(case),
        [_("Approving body"), _tier_text(case)],
        [_("State"), case.get_state_display()],
    ]
    if case.approval_no:
        head.append(
            [
                _("Approval"),
                _("%(ref)s of %(date)s")
                % {"ref": case.approval_no, "date": documents.day(case.approved_on)},
            ]
        )
    if case.executed_on:
        head.append([_("Executed on"), documents.day(case.executed_on)])
    if case.handover_id:
        head.append([_("Transfer handover"), case.handover.number])
    frame = pdf.frame_width()
    story += [
        documents.head_with_qr(
            head, header=[_("Field"), _("Details")], url=url, qr_size=30 * pdf.mm
        ),
        Spacer(1, 4 * pdf.mm),
        pdf.para(_("Items disposed of"), styles["heading"]),
    ]
    rows = [
        [
            str(index),
            tag,
            name,
            " ".join(filter(None, [brand, model])) or "-",
            documents.day(in_service_on),
            documents.money(original),
            documents.money(net),
        ]
        for index, (tag, name, brand, model, in_service_on, original, net) in enumerate(
            items, start=1
        )
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
    story.append(
        pdf.make_table(
            header,
            rows,
            width=frame,
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
                    documents.money(sum((item[5] for item in items), Decimal("0"))),
                    documents.money(sum((item[6] for item in items), Decimal("0"))),
                ]
            ],
            width=frame,
            right_columns=[0, 1, 2],
            zebra=False,
        )
    )
    story.append(pdf.para(_("Signatories"), styles["heading"]))
    story.append(
        documents.signatories(
            [_("Step"), _("By"), _("Date")],
            [
                [
                    pgettext("disposal step", "Prepared"),
                    documents.person(case.created_by),
                    documents.day(case.created_at),
                ],
                [
                    pgettext("disposal step", "Submitted"),
                    documents.person(case.submitted_by),
                    documents.day(case.submitted_at),
                ],
                [
                    pgettext("disposal step", "Decided"),
                    documents.person(case.decided_by),
                    documents.day(case.decided_at),
                ],
                [
                    pgettext("disposal step", "Executed"),
                    documents.person(case.executed_by),
                    documents.day(case.executed_at),
                ],
            ],
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
    title = _("Disposal application %(number)s") % {"number": case.number}
    return documents.render(story, title=title, number=case.number)


def application_response(case: DisposalCase):
    """The application form as a download: the stored one (with its SHA-256) for an executed
    case, a fresh rendering otherwise. The page and the API answer with this one response."""
    if case.state == DisposalCase.State.EXECUTED:
        return documents.stored_pdf_response(
            case.document_file, filename=case.number, sha256=case.document_sha256
        )
    from django.http import HttpResponse

    response = HttpResponse(render_application(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
