"""The permission matrix (SECURITY.md test 1): route × method × role × own/other department → status.

`tests/test_permission_matrix.py` walks the URL resolver (API and pages) and fails for any route
that is neither in MATRIX nor in EXEMPT, then replays every row below.

Adding a route is one line: `R(route_name, method, object_kind, anonymous=…, clerk=…, receiver=…,
auditor=…, admin=…)`. A status is an int (same for the user's own department and another one) or
an `(own, other)` pair. `object_kind` names an entry of OBJECTS: a function that builds an object
owned by the users' department (own=True) or by another department (own=False) and returns the
URL kwargs; rows without an object pass None and give plain ints.

Every signed-in role belongs to the department OWN (市大数据中心, under 市数据局); OTHER is
another bureau (市卫健委). Requests carry an empty body: a role that may act gets a 400 (API) or
the form again (200, pages), never a change, so the matrix tests authorisation, not rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "clerk", "receiver", "auditor", "admin")

Status = int | tuple[int, int]


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    object_kind: str | None
    expected: dict[str, Status] = field(default_factory=dict)
    data: dict | None = None

    def status_for(self, role: str, own: bool) -> int:
        value = self.expected[role]
        if isinstance(value, tuple):
            return value[0] if own else value[1]
        return value

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def R(route, method, object_kind=None, *, anonymous, clerk, receiver, auditor, admin, data=None):
    return Row(
        route,
        method,
        object_kind,
        {
            "anonymous": anonymous,
            "clerk": clerk,
            "receiver": receiver,
            "auditor": auditor,
            "admin": admin,
        },
        data,
    )


# --- objects: how to build an own/other object and the URL kwargs to reach it -----------------
def _asset(ctx, own: bool) -> dict:
    from tests.factories import make_asset

    return {"tag": make_asset(owner=ctx.own if own else ctx.other, name="矩阵测试设备").tag}


def _department(ctx, own: bool) -> dict:
    return {"code": (ctx.own if own else ctx.other).code}


def _location(ctx, own: bool) -> dict:
    from tests.factories import LocationFactory

    department = ctx.own if own else ctx.other
    return {"code": LocationFactory(code=f"LOC-{department.code}", department=department).code}


def _category(ctx, own: bool) -> dict:
    return {"code": "A02010104"}


def _user(ctx, own: bool) -> dict:
    from tests.factories import UserFactory

    if own:
        return {"username": ctx.users["clerk"].username}
    return {"username": UserFactory(username="m-other", department=ctx.other).username}


def _label_batch(ctx, own: bool) -> dict:
    """A rendered print batch of one card of the own or the other department."""
    from labels import services as label_services
    from labels.models import LabelTemplate
    from tests.factories import make_asset

    asset = make_asset(owner=ctx.own if own else ctx.other, name="矩阵标签设备")
    batch = label_services.print_labels(
        actor=ctx.users["admin"],
        assets=[asset],
        template=LabelTemplate.objects.get(code="a4-70x40"),
    )
    label_services.render_batch(batch_id=batch.pk)
    return {"pk": batch.pk}


def _label_template(ctx, own: bool) -> dict:
    return {"code": "a4-70x40"}


def _project(ctx, own: bool) -> dict:
    from tests.factories import make_project

    if own:
        return {"code": make_project(builder=ctx.own, owner=ctx.other, code="M-OWN").code}
    return {"code": make_project(builder=ctx.other, owner=ctx.bureau, code="M-OTHER").code}


def _handover(ctx, own: bool) -> dict:
    """A decided handover from the users' department (own) or between two others."""
    from assets.handovers import services as hs
    from tests.factories import UserFactory, make_asset, make_project

    builder, owner = (ctx.own, ctx.other) if own else (ctx.other, ctx.bureau)
    project = make_project(builder=builder, owner=owner, code=f"M-H-{builder.code}")
    clerk = UserFactory(username=f"m-hc-{builder.code}", department=builder, roles=["clerk"])
    receiver = UserFactory(username=f"m-hr-{owner.code}", department=owner, roles=["receiver"])
    asset = make_asset(owner=builder, project=project, name="矩阵移交设备")
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=asset.tag, result="accepted")],
    )
    return {"number": handover.number}


# Disposals
def _disposal(ctx, own: bool) -> dict:
    """An executed scrapping case of the users' department (own) or of another one."""
    from datetime import date

    from assets.disposals import services as ds
    from assets.models import ApprovalTier
    from tests.factories import UserFactory, make_asset

    department = ctx.own if own else ctx.other
    if not ApprovalTier.objects.filter(up_to__isnull=True).exists():
        ds.save_tier(
            actor=None, fields={"up_to": None, "approver_role": "approver", "body": "单位负责人"}
        )
    clerk = UserFactory(username=f"m-dc-{department.code}", department=department, roles=["clerk"])
    approver = UserFactory(
        username=f"m-da-{department.code}", department=department, roles=["approver"]
    )
    asset = make_asset(owner=department, in_service_on=date(2012, 1, 1), name="矩阵处置设备")
    case = ds.create_disposal(
        actor=clerk, fields={"method": "scrap", "grounds": "obsolete"}, tags=[asset.tag]
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="矩阵批复", approved_on=date.today())
    ds.execute_disposal(case=case, actor=clerk)
    return {"number": case.number}


def _disposal_tier(ctx, own: bool) -> dict:
    from decimal import Decimal

    from assets.disposals import services as ds
    from assets.models import ApprovalTier

    limit = Decimal(1000 * (ApprovalTier.objects.count() + 1))
    tier = ds.save_tier(
        actor=None, fields={"up_to": limit, "approver_role": "approver", "body": "矩阵"}
    )
    return {"pk": tier.pk}


def _import_job(ctx, own: bool) -> dict:
    """An import job with a row error (so applying it changes nothing), uploaded by the own
    department's clerk (own) or by a clerk of another department."""
    from assets.imports import jobs
    from tests.factories import UserFactory

    if own:
        uploader = ctx.users["clerk"]
    else:
        uploader = UserFactory(username="m-import-other", department=ctx.other, roles=["clerk"])
    data = "原资产编号,资产名称,资产分类代码,权属单位\r\nM-1,矩阵导入设备,A02010105,XX局\r\n"
    job = jobs.create_import_job(actor=uploader, data=data.encode(), name="matrix.csv")
    return {"pk": job.pk}


def _notification(ctx, own: bool) -> dict:
    """A notification of the matrix clerk (own), or of a user of another department: an inbox
    is its recipient's alone, so every other user gets 404."""
    from inventory.models import Notification, ReminderKind
    from tests.factories import UserFactory

    if own:
        recipient = ctx.users["clerk"]
    else:
        recipient = UserFactory(username="m-notified", department=ctx.other, roles=["clerk"])
    notification = Notification.objects.create(
        recipient=recipient, kind=ReminderKind.LABEL_COMPLIANCE, title="矩阵通知", link="/"
    )
    return {"pk": notification.pk}


def _stocktake(ctx, own: bool, *, archived: bool, closed: bool = False):
    """A campaign over the own (or the other) department with one card in it, planned and
    activated by the admin; `closed` closes it (the card is a shortage, so it has one raised
    difference); `archived` also posts that difference and archives it, so no action can change
    it any more."""
    from datetime import date

    from inventory.services import campaigns, differences
    from tests.factories import LocationFactory, make_asset, retire_directly

    department = ctx.own if own else ctx.other
    admin = ctx.users["admin"]
    state = "archived" if archived else "closed" if closed else "active"
    # A closed or archived campaign counts a room of its own: activation is refused while the
    # department's active campaign already counts the same cards (walk2-2).
    room = None if state == "active" else LocationFactory(code=f"M-{department.code}-{state}")
    make_asset(owner=department, name="矩阵盘点设备", location=room)
    campaign = campaigns.create_campaign(
        actor=admin,
        name=f"矩阵盘点 {department.code} {state}",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[department],
        locations=[room] if room else [],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin)
    if archived or closed:
        campaign = campaigns.close_campaign(campaign=campaign, actor=admin)
    if archived:
        # Archiving waits for every difference to be posted and its card disposed of: the cards
        # are retired outright here, so their shortages need no disposal case.
        for difference in campaign.differences.select_related("line__asset"):
            card = difference.line.asset
            if card is not None and card.status != "retired":
                retire_directly(asset=card, actor=admin, components="detach")
            differences.explain_difference(difference=difference, actor=admin, reason="矩阵")
            differences.approve_difference(difference=difference, actor=admin)
            differences.post_difference(difference=difference, actor=admin)
        campaign = campaigns.archive_campaign(campaign=campaign, actor=admin)
    return campaign


def _campaign(ctx, own: bool) -> dict:
    """An active stocktake of the own (or the other) department."""
    return {"pk": _stocktake(ctx, own, archived=False).pk}


def _archived_campaign(ctx, own: bool) -> dict:
    """An archived stocktake: activate/close/archive are refused with 409 to those who may act."""
    return {"pk": _stocktake(ctx, own, archived=True).pk}


def _difference(ctx, own: bool) -> dict:
    """The raised shortage of a closed stocktake: approve and post are 409 (not explained)."""
    campaign = _stocktake(ctx, own, archived=False, closed=True)
    return {"pk": campaign.pk, "difference_id": campaign.differences.get().pk}


def _closed_campaign(ctx, own: bool) -> dict:
    """A closed stocktake with its one raised difference: the difference desk's bulk actions."""
    return {"pk": _stocktake(ctx, own, archived=False, closed=True).pk}


def _campaign_close(ctx, own: bool) -> dict:
    return {**_archived_campaign(ctx, own), "verb": "close"}


def _campaign_archive(ctx, own: bool) -> dict:
    return {**_archived_campaign(ctx, own), "verb": "archive"}


def _surplus_photo(ctx, own: bool) -> dict:
    """A surplus find with a photo, reported by a clerk of the own (or the other) department."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inventory.services import scanning
    from tests.assets.attachments.files import png_bytes
    from tests.factories import UserFactory

    campaign = _stocktake(ctx, own, archived=False)
    if own:
        counter = ctx.users["clerk"]
    else:
        counter = UserFactory(username="m-counter-other", department=ctx.other, roles=["clerk"])
    photo = SimpleUploadedFile("found.png", png_bytes(), "image/png")
    line = scanning.record_surplus(campaign=campaign, actor=counter, note="矩阵盘盈", photo=photo)
    return {"pk": campaign.pk, "line_id": line.pk}


# Custody and upkeep (issue 18)
def _repair(ctx, own: bool) -> dict:
    from assets.maintenance.services import record_repair
    from tests.factories import make_asset

    asset = make_asset(owner=ctx.own if own else ctx.other, name="矩阵维修设备")
    repair = record_repair(asset=asset, actor=None, fields={"fault": "矩阵故障"})
    return {"tag": asset.tag, "pk": repair.pk}


def _contract(ctx, own: bool) -> dict:
    from datetime import date

    from assets.maintenance.services import save_contract

    department = ctx.own if own else ctx.other
    contract = save_contract(
        actor=None,
        fields={
            "number": f"WB-{department.code}",
            "vendor": "矩阵维保商",
            "department": department,
            "starts_on": date(2025, 1, 1),
            "ends_on": date(2027, 12, 31),
        },
    )
    return {"number": contract.number}


# attachments (evidence)
def _attachment(ctx, own: bool) -> dict:
    """A PDF attached to a card of the own or the other department."""
    from assets.attachments import services as attachment_services
    from tests.assets.attachments import files
    from tests.factories import make_asset

    asset = make_asset(owner=ctx.own if own else ctx.other, name="矩阵附件设备")
    attachment = attachment_services.add_attachment(
        actor=ctx.users["admin"],
        subject=f"asset:{asset.tag}",
        kind="invoice",
        upload=files.upload(files.pdf_bytes(f"matrix-{own}"), "发票.pdf"),
    )
    return {"pk": attachment.pk}


# register reports
def _frozen_report(ctx, own: bool) -> dict:
    """A balance frozen by the own department's clerk (own) or by a clerk of another one."""
    from datetime import timedelta

    from django.utils import timezone

    from assets.reports import services
    from tests.factories import UserFactory

    if own:
        freezer = ctx.users["clerk"]
    else:
        freezer = UserFactory(username="m-freeze-other", department=ctx.other, roles=["clerk"])
    frozen = services.freeze_report(
        actor=freezer,
        kind="balance",
        by="department",
        on=timezone.localdate() - timedelta(days=1),
    )
    return {"pk": frozen.pk}


# Reconciliation with the finance books (issue 19)
def _reconciliation(ctx, own: bool) -> dict:
    """A reconciliation uploaded by the own department's clerk (own) or another department's."""
    return {"pk": _reconciliation_of(ctx, own).pk}


def _reconciliation_of(ctx, own: bool):
    from assets.reconciliations import services as recon_services
    from tests.factories import UserFactory

    if own:
        uploader = ctx.users["clerk"]
    else:
        uploader = UserFactory(username="m-recon-other", department=ctx.other, roles=["clerk"])
    data = "原资产编号,原值\r\nM-R-1,100\r\n".encode()
    return recon_services.create_reconciliation(actor=uploader, data=data, name="m.csv")


def _reconciliation_difference(ctx, own: bool) -> dict:
    """A raised difference (only in the finance books) of such a reconciliation."""
    differences = _reconciliation_of(ctx, own).differences
    return {"pk": differences.get(kind="only_in_finance").pk}


# Security log: one event; the log has no department (own and other are the same row).
def _security_event(ctx, own: bool) -> dict:
    from assets.security.services import record_security_event

    return {"pk": record_security_event(kind="sign_in", username="matrix").pk}


def _api_token(ctx, own: bool) -> dict:
    """Someone else's API token (of the own department or another): nobody else reaches it."""
    from assets import credentials
    from tests.factories import UserFactory

    department = ctx.own if own else ctx.other
    holder = UserFactory(username=f"t-{department.code}", department=department)
    return {"pk": credentials.create_token(user=holder, name="矩阵令牌")[0].pk}


OBJECTS: dict[str, Callable] = {
    "campaign": _campaign,
    "archived_campaign": _archived_campaign,
    "campaign_close": _campaign_close,
    "campaign_archive": _campaign_archive,
    "difference": _difference,
    "closed_campaign": _closed_campaign,
    "surplus_photo": _surplus_photo,
    "notification": _notification,
    "import_job": _import_job,
    "project": _project,
    "handover": _handover,
    "label_batch": _label_batch,
    "label_template": _label_template,
    "asset": _asset,
    "department": _department,
    "location": _location,
    "category": _category,
    "user": _user,
    # Disposals
    "disposal": _disposal,
    "disposal_tier": _disposal_tier,
    # Custody and upkeep (issue 18)
    "repair": _repair,
    "contract": _contract,
    # attachments (evidence)
    "attachment": _attachment,
    "frozen_report": _frozen_report,  # register reports
    # Reconciliation with the finance books (issue 19)
    "reconciliation": _reconciliation,
    "reconciliation_difference": _reconciliation_difference,
    # Security log
    "security_event": _security_event,
    # API tokens (issue 20)
    "api_token": _api_token,
}

# --- routes that are not in the matrix, and why -------------------------------------------------
EXEMPT: dict[str, str] = {
    "admin:": "Django admin: every page is scoped by role in assets/admin.py and tested in "
    "tests/assets/test_admin.py; its URLs are generated per model.",
    "/admin/": "Django admin (unnamed catch-all and object URLs), as above.",
}

# Shorthands for the common shapes.
PAGE_ANON = 302  # pages send anonymous visitors to the sign-in page

# One row per line, however long: fmt: off keeps it that way.
# fmt: off
MATRIX: list[Row] = [
    # Project-wide
    R("api-token", "POST", anonymous=400, clerk=400, receiver=400, auditor=400, admin=400),
    # DELETE revokes the token the request carries: a session alone is no token.
    R("api-token", "DELETE", anonymous=401, clerk=401, receiver=401, auditor=401, admin=401),
    R("password_change", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("password_change", "POST", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("schema", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("api-docs", "GET", anonymous=302, clerk=200, receiver=200, auditor=200, admin=200),
    R("login", "GET", anonymous=200, clerk=302, receiver=302, auditor=302, admin=302),
    R("login", "POST", anonymous=200, clerk=302, receiver=302, auditor=302, admin=302),
    R("logout", "POST", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("logout", "GET", anonymous=405, clerk=405, receiver=405, auditor=405, admin=405),
    R("set_language", "POST", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("healthz", "GET", anonymous=200, clerk=200, receiver=200, auditor=200, admin=200),
    # Register API: reference data
    R("department-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("department-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("department-detail", "GET", "department", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("department-detail", "PATCH", "department", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("department-detail", "PUT", "department", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("location-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("location-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("location-detail", "GET", "location", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("location-detail", "PATCH", "location", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("location-detail", "PUT", "location", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("category-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("category-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=405),
    R("category-detail", "GET", "category", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    # Register API: users (admins only)
    R("user-list", "GET", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("user-detail", "GET", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-detail", "PATCH", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-detail", "PUT", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    # Register API: assets
    R("asset-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("asset-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("asset-detail", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-detail", "PATCH", "asset", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=200),
    R("asset-detail", "PUT", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-components", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-events", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-nest", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-move", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-retire", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-change-status", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    # Register pages
    R("assets:asset-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("assets:asset-create", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:asset-create", "POST", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:asset-detail", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:asset-update", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-update", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-nest", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-nest", "POST", "asset", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("assets:asset-move", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-move", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-status", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-status", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-retire", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-retire", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    # Delegated-build projects and handovers (the handover object is decided, so nothing moves)
    R("project-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("project-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("project-overdue", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("project-detail", "GET", "project", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("project-detail", "PATCH", "project", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=200),
    R("project-detail", "PUT", "project", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("project-final-accounts", "POST", "project", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("project-revalue", "POST", "project", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("handover-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("handover-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("handover-detail", "GET", "handover", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("handover-submit", "POST", "handover", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("handover-withdraw", "POST", "handover", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("handover-archives", "POST", "handover", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("handover-decide", "POST", "handover", anonymous=401, clerk=403, receiver=(403, 404), auditor=403, admin=403),
    R("handover-certificate", "GET", "handover", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("handover-certificate-pdf", "GET", "handover", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:handover-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("assets:handover-inbox", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("assets:handover-create", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:handover-create", "POST", anonymous=PAGE_ANON, clerk=400, receiver=403, auditor=403, admin=400),
    R("assets:handover-detail", "GET", "handover", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:handover-submit", "POST", "handover", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("assets:handover-withdraw", "POST", "handover", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("assets:handover-archive-add", "POST", "handover", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("assets:handover-review", "GET", "handover", anonymous=PAGE_ANON, clerk=(403, 404), receiver=(403, 404), auditor=403, admin=403),
    R("assets:handover-review", "POST", "handover", anonymous=PAGE_ANON, clerk=(403, 404), receiver=(403, 404), auditor=403, admin=403),
    R("assets:handover-certificate", "GET", "handover", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:project-overdue", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    # Labels API
    R("label-print", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("label-void", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("label-batch-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("label-batch-detail", "GET", "label_batch", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("label-batch-pdf", "GET", "label_batch", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("label-batch-retry", "POST", "label_batch", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("label-template-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("label-template-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("label-template-detail", "GET", "label_template", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("label-template-detail", "PATCH", "label_template", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("label-template-detail", "PUT", "label_template", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    # Label pages: /a/TAG opens the card when the user may read it, else the minimal public view
    R("labels:scan", "GET", "asset", anonymous=200, clerk=(302, 200), receiver=(302, 200), auditor=302, admin=302),
    R("labels:queue", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    # An empty print form is refused on the page itself (400, the reasons beside the form, ticks kept)
    R("labels:queue", "POST", anonymous=PAGE_ANON, clerk=400, receiver=403, auditor=403, admin=400),
    R("labels:batch-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("labels:batch-detail", "GET", "label_batch", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("labels:batch-retry", "POST", "label_batch", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("labels:qr-svg", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("labels:card-print", "POST", "asset", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("labels:card-void", "POST", "asset", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    # Imports (a job is its uploader's alone: everyone else gets 404) and exports
    R("asset-export-xlsx", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("asset-export-csv", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("handover-items-xlsx", "GET", "handover", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("handover-items-csv", "GET", "handover", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("import-list", "GET", anonymous=401, clerk=200, receiver=403, auditor=403, admin=200),
    R("import-list", "POST", anonymous=401, clerk=415, receiver=403, auditor=403, admin=415),
    R("import-template-xlsx", "GET", anonymous=401, clerk=200, receiver=403, auditor=403, admin=200),
    R("import-template-csv", "GET", anonymous=401, clerk=200, receiver=403, auditor=403, admin=200),
    R("import-detail", "GET", "import_job", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=404),
    R("import-apply", "POST", "import_job", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=404),
    R("import-errors-xlsx", "GET", "import_job", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=404),
    R("import-errors-csv", "GET", "import_job", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=404),
    R("assets:import-upload", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:import-upload", "POST", anonymous=PAGE_ANON, clerk=400, receiver=403, auditor=403, admin=400),
    R("assets:import-detail", "GET", "import_job", anonymous=PAGE_ANON, clerk=(200, 404), receiver=403, auditor=403, admin=404),
    R("assets:import-apply", "POST", "import_job", anonymous=PAGE_ANON, clerk=(302, 404), receiver=403, auditor=403, admin=404),
    # Notifications: every signed-in user has an inbox; a notification is its recipient's alone
    R("notification-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("notification-detail", "GET", "notification", anonymous=401, clerk=(200, 404), receiver=404, auditor=404, admin=404),
    R("notification-read", "POST", "notification", anonymous=401, clerk=(200, 404), receiver=404, auditor=404, admin=404),
    R("notification-read-all", "POST", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("inventory:notification-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("inventory:notification-read", "POST", "notification", anonymous=PAGE_ANON, clerk=(302, 404), receiver=404, auditor=404, admin=404),
    R("inventory:notification-read-all", "POST", anonymous=PAGE_ANON, clerk=302, receiver=302, auditor=302, admin=302),
    R("inventory:reminder-choice", "POST", anonymous=PAGE_ANON, clerk=302, receiver=302, auditor=302, admin=302),
    # Stocktakes: a campaign is readable by those it touches (404 to another department's clerk
    # or receiver); clerks of its departments and admins count and manage it, auditors only read.
    R("stocktake-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("stocktake-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("stocktake-detail", "GET", "campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-activate", "POST", "archived_campaign", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("stocktake-close", "POST", "archived_campaign", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("stocktake-archive", "POST", "archived_campaign", anonymous=401, clerk=403, receiver=403, auditor=403, admin=409),
    R("stocktake-progress", "GET", "campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-report", "GET", "archived_campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-report-xlsx", "GET", "archived_campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-report-pdf", "GET", "archived_campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-lines", "GET", "campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-lines-csv", "GET", "campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-scans", "POST", "campaign", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("stocktake-manual", "POST", "campaign", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("stocktake-confirm", "POST", "campaign", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("stocktake-surplus", "POST", "campaign", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("stocktake-differences", "GET", "archived_campaign", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("stocktake-explain", "POST", "difference", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("stocktake-approve", "POST", "difference", anonymous=401, clerk=403, receiver=403, auditor=403, admin=409),
    R("stocktake-post", "POST", "difference", anonymous=401, clerk=403, receiver=403, auditor=403, admin=409),
    R("inventory:campaign-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("inventory:campaign-create", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("inventory:campaign-create", "POST", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("inventory:campaign-detail", "GET", "archived_campaign", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("inventory:campaign-action", "POST", "campaign_close", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("inventory:campaign-action", "POST", "campaign_archive", anonymous=PAGE_ANON, clerk=(403, 404), receiver=(403, 404), auditor=403, admin=302),
    R("inventory:campaign-scan", "GET", "campaign", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("inventory:line-list", "GET", "campaign", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("inventory:line-photo", "GET", "surplus_photo", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("inventory:difference-list", "GET", "archived_campaign", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("inventory:difference-detail", "GET", "difference", anonymous=PAGE_ANON, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("inventory:difference-detail", "POST", "difference", anonymous=PAGE_ANON, clerk=(302, 404), receiver=404, auditor=403, admin=302),
    R("inventory:difference-bulk", "POST", "closed_campaign", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("inventory:difference-case", "POST", "closed_campaign", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    # Disposals (the case is executed, so nothing moves; its tier names the approver role)
    # (A clerk of the department that counted a loss case's stocktake differences also reads
    # and prepares it: tests/inventory/test_difference_disposal.py, walk2-5.)
    R("disposal-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("disposal-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("disposal-detail", "GET", "disposal", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("disposal-detail", "PUT", "disposal", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("disposal-detail", "PATCH", "disposal", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("disposal-detail", "DELETE", "disposal", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("disposal-submit", "POST", "disposal", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("disposal-approve", "POST", "disposal", anonymous=401, clerk=403, receiver=403, auditor=403, admin=403),
    R("disposal-reject", "POST", "disposal", anonymous=401, clerk=403, receiver=403, auditor=403, admin=403),
    R("disposal-execute", "POST", "disposal", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("disposal-application", "GET", "disposal", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("disposal-application-pdf", "GET", "disposal", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("disposal-export-xlsx", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("disposal-export-csv", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("disposal-tier-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("disposal-tier-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("disposal-tier-detail", "GET", "disposal_tier", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("disposal-tier-detail", "PUT", "disposal_tier", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("disposal-tier-detail", "PATCH", "disposal_tier", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("disposal-tier-detail", "DELETE", "disposal_tier", anonymous=401, clerk=403, receiver=403, auditor=403, admin=204),
    # The disposal pages follow the header's link (`reads_disposals`): a receiver is refused
    # every one of them (walk 39); the API rows above keep the API contract.
    R("assets:disposal-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=200, admin=200),
    R("assets:disposal-inbox", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=200, admin=200),
    R("assets:disposal-create", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:disposal-create", "POST", anonymous=PAGE_ANON, clerk=400, receiver=403, auditor=403, admin=400),
    R("assets:disposal-detail", "GET", "disposal", anonymous=PAGE_ANON, clerk=(200, 404), receiver=403, auditor=200, admin=200),
    R("assets:disposal-submit", "POST", "disposal", anonymous=PAGE_ANON, clerk=(302, 404), receiver=403, auditor=403, admin=302),
    # The fixture's case is past its draft: the edit page refuses it, delete says so on the page.
    R("assets:disposal-edit", "GET", "disposal", anonymous=PAGE_ANON, clerk=(403, 404), receiver=403, auditor=403, admin=403),
    R("assets:disposal-edit", "POST", "disposal", anonymous=PAGE_ANON, clerk=(403, 404), receiver=403, auditor=403, admin=403),
    R("assets:disposal-delete", "POST", "disposal", anonymous=PAGE_ANON, clerk=(302, 404), receiver=403, auditor=403, admin=302),
    R("assets:disposal-approve", "POST", "disposal", anonymous=PAGE_ANON, clerk=(403, 404), receiver=403, auditor=403, admin=403),
    R("assets:disposal-reject", "POST", "disposal", anonymous=PAGE_ANON, clerk=(403, 404), receiver=403, auditor=403, admin=403),
    R("assets:disposal-execute", "POST", "disposal", anonymous=PAGE_ANON, clerk=(302, 404), receiver=403, auditor=403, admin=302),
    R("assets:disposal-application", "GET", "disposal", anonymous=PAGE_ANON, clerk=(200, 404), receiver=403, auditor=200, admin=200),
    # Custody (issue 18): clerks check out, in and lend; only the holder confirms receipt (409 here: nothing is checked out)
    R("asset-checkout", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-checkin", "POST", "asset", anonymous=401, clerk=(409, 404), receiver=403, auditor=403, admin=409),
    R("asset-lend", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-confirm-receipt", "POST", "asset", anonymous=401, clerk=(409, 404), receiver=(409, 404), auditor=409, admin=409),
    R("me-assets", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("me-assets-confirm-all", "POST", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    # Upkeep (issue 18): clerks record repairs and contracts; any reader but an auditor reports a fault
    R("asset-repair-list", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-repair-list", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-repair-detail", "GET", "repair", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-repair-detail", "PATCH", "repair", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=200),
    R("asset-report-fault", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=(400, 404), auditor=403, admin=400),
    R("repair-over-value", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("contract-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("contract-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("contract-uncovered", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("contract-detail", "GET", "contract", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("contract-detail", "PATCH", "contract", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=200),
    # Custody pages (issue 18): "my assets" for every signed-in user; the custody page is the clerks'
    R("assets:my-assets", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("assets:my-assets-confirm-all", "POST", anonymous=PAGE_ANON, clerk=302, receiver=302, auditor=302, admin=302),
    R("assets:my-assets-confirm-receipt", "POST", "asset", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(302, 404), auditor=302, admin=302),
    R("assets:custody-leavers", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:asset-custody", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-custody", "POST", "asset", anonymous=PAGE_ANON, clerk=(400, 404), receiver=(403, 404), auditor=403, admin=400),
    R("assets:asset-report-fault", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=403, admin=200),
    R("assets:asset-report-fault", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=403, admin=200),
    R("assets:asset-repairs", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-repairs", "POST", "asset", anonymous=PAGE_ANON, clerk=(400, 404), receiver=(403, 404), auditor=403, admin=400),
    R("assets:upkeep-lists", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    # attachments (evidence): readers of the subject read its files; clerks and admins add and withdraw
    R("attachment-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("attachment-list", "POST", anonymous=401, clerk=400, receiver=400, auditor=403, admin=400),
    R("attachment-detail", "GET", "attachment", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("attachment-file", "GET", "attachment", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("attachment-download", "GET", "attachment", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("attachment-withdraw", "POST", "attachment", anonymous=401, clerk=(400, 404), receiver=(403, 404), auditor=403, admin=400),
    # (pages) the upload page needs ?subject=, so without one it is 404 for those who may attach
    R("assets:attachment-upload", "GET", anonymous=PAGE_ANON, clerk=404, receiver=404, auditor=403, admin=404),
    R("assets:attachment-upload", "POST", anonymous=PAGE_ANON, clerk=404, receiver=404, auditor=403, admin=404),
    R("assets:attachment-file", "GET", "attachment", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:attachment-preview", "GET", "attachment", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:attachment-withdraw", "GET", "attachment", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:attachment-withdraw", "POST", "attachment", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("inventory:campaign-attachments-zip", "GET", "archived_campaign", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:handover-attachments-zip", "GET", "handover", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:dashboard", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    # register reports: without `on` (or `from`/`to`) every role's GET is a 400 naming it
    R("report-balance", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("report-balance-xlsx", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("report-balance-pdf", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("report-movements", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("report-movements-xlsx", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("report-movements-pdf", "GET", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("frozen-report-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("frozen-report-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("frozen-report-detail", "GET", "frozen_report", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("frozen-report-pdf", "GET", "frozen_report", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("frozen-report-xlsx", "GET", "frozen_report", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    # Reconciliation with the finance books (issue 19): clerks of the uploader's department and
    # admins work on it, auditors read it, receivers see none; admins approve and post. The pages
    # follow the header's link (`reads_reconciliations`): a receiver is refused them (walk 39);
    # the API's lists stay 200 (empty) for them.
    R("reconciliation-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("reconciliation-list", "POST", anonymous=401, clerk=415, receiver=403, auditor=403, admin=415),
    R("reconciliation-detail", "GET", "reconciliation", anonymous=401, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("reconciliation-rows", "GET", "reconciliation", anonymous=401, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("reconciliation-finance-tasks", "GET", "reconciliation", anonymous=401, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("reconciliation-finance-tasks-xlsx", "GET", "reconciliation", anonymous=401, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("reconciliation-mapping", "GET", anonymous=401, clerk=200, receiver=403, auditor=200, admin=200),
    R("reconciliation-mapping", "PUT", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("reconciliation-difference-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("reconciliation-difference-detail", "GET", "reconciliation_difference", anonymous=401, clerk=(200, 404), receiver=404, auditor=200, admin=200),
    R("reconciliation-difference-explain", "POST", "reconciliation_difference", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("reconciliation-difference-approve", "POST", "reconciliation_difference", anonymous=401, clerk=403, receiver=403, auditor=403, admin=409),
    R("reconciliation-difference-post", "POST", "reconciliation_difference", anonymous=401, clerk=403, receiver=403, auditor=403, admin=409),
    R("assets:reconciliation-upload", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=200, admin=200),
    R("assets:reconciliation-upload", "POST", anonymous=PAGE_ANON, clerk=400, receiver=403, auditor=403, admin=400),
    R("assets:reconciliation-detail", "GET", "reconciliation", anonymous=PAGE_ANON, clerk=(200, 404), receiver=403, auditor=200, admin=200),
    R("assets:reconciliation-difference", "GET", "reconciliation_difference", anonymous=PAGE_ANON, clerk=(200, 404), receiver=403, auditor=200, admin=200),
    R("assets:reconciliation-difference", "POST", "reconciliation_difference", anonymous=PAGE_ANON, clerk=(302, 404), receiver=403, auditor=403, admin=302),
    # Security log: auditors and admins read it; nobody writes it
    R("security-event-list", "GET", anonymous=401, clerk=403, receiver=403, auditor=200, admin=200),
    R("security-event-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=405, admin=405),
    R("security-event-detail", "GET", "security_event", anonymous=401, clerk=403, receiver=403, auditor=200, admin=200),
    R("security-event-detail", "DELETE", "security_event", anonymous=401, clerk=403, receiver=403, auditor=405, admin=405),
    R("security-event-export-xlsx", "GET", anonymous=401, clerk=403, receiver=403, auditor=200, admin=200),
    R("assets:security-log", "GET", anonymous=PAGE_ANON, clerk=403, receiver=403, auditor=200, admin=200),
    # API tokens, two-factor sign-in, single sign-on (issue 20); single sign-on is off here
    R("token-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("token-list", "POST", anonymous=401, clerk=400, receiver=400, auditor=400, admin=400),
    R("token-detail", "GET", "api_token", anonymous=401, clerk=404, receiver=404, auditor=404, admin=404),
    R("token-detail", "DELETE", "api_token", anonymous=401, clerk=404, receiver=404, auditor=404, admin=404),
    R("accounts:account", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("accounts:token-create", "POST", anonymous=PAGE_ANON, clerk=400, receiver=400, auditor=400, admin=400),
    R("accounts:token-revoke", "POST", "api_token", anonymous=PAGE_ANON, clerk=404, receiver=404, auditor=404, admin=404),
    R("accounts:two-factor", "GET", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("accounts:two-factor", "POST", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("accounts:two-factor-setup", "GET", anonymous=302, clerk=200, receiver=200, auditor=200, admin=200),
    R("accounts:two-factor-setup", "POST", anonymous=302, clerk=400, receiver=400, auditor=400, admin=400),
    R("accounts:two-factor-qr", "GET", anonymous=404, clerk=404, receiver=404, auditor=404, admin=404),
    R("accounts:recovery-codes", "POST", anonymous=PAGE_ANON, clerk=302, receiver=302, auditor=302, admin=302),
    R("accounts:two-factor-off", "POST", anonymous=PAGE_ANON, clerk=302, receiver=302, auditor=302, admin=302),
    R("accounts:oidc-start", "GET", anonymous=404, clerk=404, receiver=404, auditor=404, admin=404),
    R("accounts:oidc-callback", "GET", anonymous=404, clerk=404, receiver=404, auditor=404, admin=404),
    R("accounts:cas-login", "GET", anonymous=404, clerk=404, receiver=404, auditor=404, admin=404),
    # The CAS server's single sign-out (CSRF-exempt, server to server): off with CAS, as above.
    R("accounts:cas-login", "POST", anonymous=404, clerk=404, receiver=404, auditor=404, admin=404),
]
# fmt: on
