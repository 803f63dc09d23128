"""The handover certificate (移交单 / 交接书) as PDF, rendered once when the handover is decided.

Parties, basis (acceptance and final accounts), the item list with results, totals by count and
value, archives, both sides' signatories and dates, and a QR code back to the handover's page.
Shared drawing (embedded CJK font, QR, tables, escaping) comes from `labels.pdf`.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from assets.models import Asset, DelegatedProject, Handover, HandoverItem
from config import formatting
from labels import pdf


def handover_url(handover: Handover) -> str:
    """The handover page, built from SITE_URL (never the request's Host)."""
    return settings.SITE_URL + reverse("assets:handover-detail", args=[handover.number])


class _QRFlowable(Flowable):
    """A QR code of `data`, `size` points square, in a platypus story."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.data, self.size = data, size
        self.width = self.height = size

    def draw(self):
        pdf.draw_qr(self.canv, self.data, x=0, y=0, size=self.size)


def _day(value) -> str:
    if value is None:
        return "-"
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return date_format(value, "Y-m-d")


def _money(value: Decimal) -> str:
    return formatting.money(value)


def _person(user) -> str:
    return str(user) if user is not None else "-"


def _basis(project: DelegatedProject) -> str:
    acceptance = _("Completion acceptance: %(date)s, report %(report)s") % {
        "date": _day(project.accepted_on),
        "report": project.acceptance_report_no or "-",
    }
    if project.final_accounts_state == DelegatedProject.FinalAccountsState.APPROVED:
        accounts = _("Final accounts approved on %(date)s, approval %(ref)s") % {
            "date": _day(project.final_accounts_approved_on),
            "ref": project.final_accounts_ref or "-",
        }
    else:
        accounts = _("Final accounts not yet approved; values are provisional (未决算，暂估)")
    return f"{acceptance}; {accounts}"


def render_certificate(handover: Handover) -> bytes:
    """The certificate's PDF bytes for a decided handover."""
    styles = pdf.paragraph_styles(9)
    project = handover.project
    items = list(
        HandoverItem.objects.filter(handover=handover)
        .select_related("asset", "asset__parent")
        .order_by("asset__tag")
    )
    archives = list(handover.archives.all())
    url = handover_url(handover)
    results = dict(HandoverItem.Result.choices)

    story: list = [
        pdf.para(
            _("Handover certificate of delegated-build assets (移交单)")
            if project is not None
            else _("Handover certificate of transferred assets (划转移交单)"),
            styles["title"],
        ),
    ]
    if project is not None:
        head = [
            [_("Number"), handover.number],
            [_("Project"), f"{project.code} {project.name}"],
            [_("Contract number"), project.contract_no or "-"],
            [_("Delivering party (builder)"), handover.from_department.name],
            [_("Receiving party"), handover.to_department.name],
            [_("Basis"), _basis(project)],
            [_("Outcome"), handover.get_state_display()],
            [_("Handover date"), _day(handover.decided_at)],
        ]
    else:  # a free transfer (无偿划转) opened by an executed disposal case
        cases = ", ".join(handover.disposal_cases.values_list("number", flat=True)) or "-"
        head = [
            [_("Number"), handover.number],
            [_("Delivering party"), handover.from_department.name],
            [_("Receiving party"), handover.to_department.name],
            [_("Basis"), _("Free transfer approved in disposal case %(cases)s") % {"cases": cases}],
            [_("Outcome"), handover.get_state_display()],
            [_("Handover date"), _day(handover.decided_at)],
        ]
    frame = pdf.frame_width()
    qr_size = 36 * pdf.mm
    qr_column = qr_size + 4 * pdf.mm
    head_table = pdf.make_table(
        [_("Certificate field"), _("Details")],
        head,
        width=frame - qr_column,
        zebra=False,
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
                ("RIGHTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 4 * pdf.mm),
            ]
        )
    )
    story += [top, Spacer(1, 4 * pdf.mm)]

    story.append(pdf.para(_("Items handed over"), styles["heading"]))
    small = pdf.paragraph_styles(7.5)
    rows = []
    provisional = False
    for index, item in enumerate(items, start=1):
        asset = item.asset
        mark = ""
        if asset.value_type == Asset.ValueType.PROVISIONAL:
            mark, provisional = " *", True
        rows.append(
            [
                str(index),
                asset.tag,
                asset.name,
                " ".join(filter(None, [asset.brand, asset.model])) or "-",
                asset.serial_number or "-",
                asset.parent.tag if item.included_with_host and asset.parent else "",
                _money(asset.original_value) + mark,
                results.get(item.result, item.result),
                item.reason,
            ]
        )
    story.append(
        pdf.make_table(
            [
                "#",
                _("Tag"),
                _("Asset name"),
                _("Model"),
                _("Serial number"),
                _("In host"),
                _("Value (CNY)"),
                _("Result"),
                _("Reason"),
            ],
            rows,
            width=frame,
            right_columns=[0, 6],
            nowrap_columns=[1, 5],
            styles=small,
        )
    )
    if provisional:
        story.append(
            pdf.para(_("* provisional value (暂估) until the final accounts"), small["cell"])
        )

    def total(which=None):
        chosen = [i for i in items if which is None or i.result == which]
        return len(chosen), sum((i.asset.original_value for i in chosen), Decimal("0"))

    story.append(pdf.para(_("Totals"), styles["heading"]))
    total_rows = []
    for label, which in (
        (_("All items"), None),
        (_("Accepted"), HandoverItem.Result.ACCEPTED),
        (_("Rejected"), HandoverItem.Result.REJECTED),
    ):
        count, value = total(which)
        total_rows.append([label, str(count), _money(value)])
    story.append(
        pdf.make_table(
            [pgettext("handover totals", "Items"), _("Number of items"), _("Value (CNY)")],
            total_rows,
            width=frame,
            right_columns=[1, 2],
            zebra=False,
        )
    )

    story.append(pdf.para(_("Archives handed over"), styles["heading"]))
    if archives:
        kinds = dict(archives[0].Kind.choices)
        story.append(
            pdf.make_table(
                [_("Archive kind"), _("Archive title"), _("Reference or location"), _("Copies")],
                [
                    [kinds.get(a.kind, a.kind), a.title, a.reference, str(a.copies)]
                    for a in archives
                ],
                width=frame,
                right_columns=[3],
            )
        )
    else:
        story.append(pdf.para(_("No archives listed."), styles["body"]))

    if handover.decision_comment:
        story.append(pdf.para(_("Receiver's comment"), styles["heading"]))
        story.append(pdf.para(handover.decision_comment, styles["body"]))

    story.append(pdf.para(_("Signatories"), styles["heading"]))
    story.append(
        pdf.make_table(
            [_("Party"), _("Signed by"), _("Date")],
            [
                [
                    handover.from_department.name,
                    _person(handover.submitted_by),
                    _day(handover.submitted_at),
                ],
                [
                    handover.to_department.name,
                    _person(handover.decided_by),
                    _day(handover.decided_at),
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
                _("Delivering party: %(name)s") % {"name": handover.from_department.name},
                _("Receiving party: %(name)s") % {"name": handover.to_department.name},
            ],
            styles=styles,
            width=frame,
        )
    )

    buffer = io.BytesIO()
    pdf.build_a4_pdf(
        buffer,
        story,
        title=_("Handover certificate %(number)s") % {"number": handover.number},
        header_left=settings.YIKA_ORG_NAME or _("Yika asset register"),
        header_right=handover.number,
        footer_left=_("Handover certificate %(number)s") % {"number": handover.number},
    )
    return buffer.getvalue()


def certificate_path(handover) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / handover.certificate_file


def certificate_response(handover, *, request=None) -> FileResponse:
    """The certificate stored when the handover was decided, as a download (404 when there is
    none); the page and the API answer with this one response (and log it)."""
    return stored_pdf_response(
        handover.certificate_file,
        filename=handover.number,
        sha256=handover.certificate_sha256,
        request=request,
        what="handover-certificate.pdf",
        detail={"handover": handover.number},
    )


def stored_pdf_response(
    relative: str, *, filename: str, sha256: str, request=None, what: str = "", detail=None
) -> FileResponse:
    """A PDF stored once under PRIVATE_MEDIA_ROOT (a certificate, an executed disposal case),
    as a download carrying its SHA-256; 404 when there is none. With a `request`, the download
    is written to the security log as the export `what`."""
    path = Path(settings.PRIVATE_MEDIA_ROOT) / relative if relative else None
    if path is None or not path.is_file():
        raise Http404
    if request is not None:
        from assets.security.services import record_export

        record_export(request=request, what=what, **(detail or {}))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{filename}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Certificate-SHA256"] = sha256
    return response
