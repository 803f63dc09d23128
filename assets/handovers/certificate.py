"""The handover certificate (移交单 / 交接书) as PDF, rendered once when the handover is decided.

Parties, basis (acceptance and final accounts), the item list with results, totals by count and
value, archives, both sides' signatories and dates, and a QR code back to the handover's page.
Its head, signatories, page and storage are `assets.documents`' (shared with the disposal
form); drawing (embedded CJK font, QR, tables, escaping) comes from `labels.pdf`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Spacer

from assets import documents
from assets.models import Asset, DelegatedProject, Handover, HandoverItem
from config import formatting
from labels import pdf


def handover_url(handover: Handover) -> str:
    """The handover page, built from SITE_URL (never the request's Host)."""
    return settings.SITE_URL + reverse("assets:handover-detail", args=[handover.number])


def _basis(project: DelegatedProject) -> str:
    acceptance = _("Completion acceptance: %(date)s, report %(report)s") % {
        "date": documents.day(project.accepted_on),
        "report": project.acceptance_report_no or "-",
    }
    if project.final_accounts_state == DelegatedProject.FinalAccountsState.APPROVED:
        accounts = _("Final accounts approved on %(date)s, approval %(ref)s") % {
            "date": documents.day(project.final_accounts_approved_on),
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

    internal = handover.is_internal_transfer
    if project is not None:
        title = _("Handover certificate of delegated-build assets (移交单)")
    elif internal:
        title = _("Handover certificate of an internal transfer within the unit")
    else:
        title = _("Handover certificate of transferred assets (划转移交单)")
    story: list = [pdf.para(title, styles["title"])]
    if project is not None:
        head = [
            [_("Number"), handover.number],
            [_("Project"), f"{project.code} {project.name}"],
            [_("Contract number"), project.contract_no or "-"],
            [_("Delivering party (builder)"), handover.from_department.name],
            [_("Receiving party"), handover.to_department.name],
            [_("Basis"), _basis(project)],
            [_("Outcome"), handover.get_state_display()],
            [_("Handover date"), documents.day(handover.decided_at)],
        ]
    else:  # a free transfer (无偿划转) of an executed disposal case, or an internal transfer
        if internal:
            basis = _("Internal transfer within the unit (内部调拨); no approval needed")
            # The sender hands over inside its unit: 移交方, not a free transfer's 划出方.
            sender = pgettext("internal transfer", "Delivering party")
        else:
            cases = formatting.text_list(handover.disposal_cases.values_list("number", flat=True))
            basis = _("Free transfer approved in disposal case %(cases)s") % {"cases": cases}
            sender = _("Delivering party")
        head = [
            [_("Number"), handover.number],
            [sender, handover.from_department.name],
            [_("Receiving party"), handover.to_department.name],
            [_("Basis"), basis],
            [_("Outcome"), handover.get_state_display()],
            [_("Handover date"), documents.day(handover.decided_at)],
        ]
    frame = pdf.frame_width()
    story += [
        documents.head_with_qr(
            head, header=[_("Certificate field"), _("Details")], url=url, qr_size=36 * pdf.mm
        ),
        Spacer(1, 4 * pdf.mm),
    ]

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
                documents.money(asset.original_value) + mark,
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
            lines_columns=[8],
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
        total_rows.append([label, str(count), documents.money(value)])
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
        documents.signatories(
            [_("Party"), _("Signed by"), _("Date")],
            [
                [
                    handover.from_department.name,
                    documents.person(handover.submitted_by),
                    documents.day(handover.submitted_at),
                ],
                [
                    handover.to_department.name,
                    documents.person(handover.decided_by),
                    documents.day(handover.decided_at),
                ],
            ],
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

    return documents.render(
        story,
        title=_("Handover certificate %(number)s") % {"number": handover.number},
        number=handover.number,
    )


def certificate_path(handover) -> Path:
    return documents.stored_path(handover.certificate_file)


def certificate_response(handover, *, request=None):
    """The certificate stored when the handover was decided, as a download (404 when there is
    none); the page and the API answer with this one response (and log it)."""
    return documents.stored_pdf_response(
        handover.certificate_file,
        filename=handover.number,
        sha256=handover.certificate_sha256,
        request=request,
        what="handover-certificate.pdf",
        detail={"handover": handover.number},
    )
