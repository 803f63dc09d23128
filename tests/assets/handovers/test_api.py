"""API of projects and handovers: contract, permission matrix, bad input, nothing half-applied."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, DelegatedProject, Handover, HandoverItem
from tests.api_base import (
    ActionEventTests,
    AnonymousTests,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    UpdateTests,
    WrongRoleTests,
)
from tests.factories import make_asset, make_project

pytestmark = pytest.mark.django_db

HANDOVERS = "/api/v1/handovers/"
PROJECTS = "/api/v1/projects/"


def project_asset(project, **fields):
    fields.setdefault("owner", project.builder_department)
    return make_asset(project=project, **fields)


def snapshot():
    return (
        list(
            Asset.objects.order_by("pk").values_list(
                "pk", "owner_department", "ownership_confirmed"
            )
        ),
        AssetEvent.objects.count(),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
        list(HandoverItem.objects.order_by("pk").values_list("pk", "result", "is_open")),
    )


@pytest.fixture
def stranger_clerk(wrong_receiver):
    """A clerk of a department that is neither party (the finance bureau)."""
    from tests.factories import UserFactory

    return UserFactory(
        username="strangerclerk", department=wrong_receiver.department, roles=["clerk"]
    )


@pytest.fixture
def draft(project, clerk):
    assets = [project_asset(project, name="服务器"), project_asset(project, name="交换机")]
    return hs.create_handover(actor=clerk, project=project, assets=assets)


@pytest.fixture
def submitted(draft, clerk):
    return hs.submit_handover(handover=draft, actor=clerk)


def tags_of(handover):
    return list(handover.items.order_by("asset__tag").values_list("asset__tag", flat=True))


def all_accepted(handover):
    return {"items": [{"tag": t, "result": "accepted"} for t in tags_of(handover)]}


# ------------------------------------------------------------------ on the generic base
class ProjectAPIBase:
    basename = "project"
    lookup = "code"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    update_data = {"name": "智慧医疗平台（二期）", "contract_no": "HT-2024-118"}

    def make_object(self, request):
        return request.getfixturevalue("project")

    def make_other_object(self, request):
        """Built by the health commission for the finance bureau: neither side is the centre."""
        finance = request.getfixturevalue("wrong_receiver").department
        return make_project(
            builder=request.getfixturevalue("other_bureau"), owner=finance, code="DJ-WJW-01"
        )

    def get_create_data(self, request):
        request.getfixturevalue("centre")
        request.getfixturevalue("other_bureau")
        return {
            "code": "DJ-2025-07",
            "name": "智慧医疗平台",
            "builder_department": "BDC",
            "owner_department": "HEALTH",
        }


class TestProjectAPI(
    ProjectAPIBase,
    ListTests,
    RetrieveTests,
    CreateTests,
    UpdateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
):
    """Projects on the generic base; final accounts and overdue lists follow below."""


class TestProjectAPIReceiver(ProjectAPIBase, WrongRoleTests):
    """The receiving side reads the project but neither creates nor changes it."""

    wrong_role = "receiver"


class HandoverAPIBase:
    basename = "handover"
    lookup = "number"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"

    def make_object(self, request):
        """A draft of two cards, prepared by the builder's clerk."""
        return request.getfixturevalue("draft")

    def make_other_object(self, request):
        """A draft of the health commission's for the finance bureau: invisible to the centre."""
        project = ProjectAPIBase.make_other_object(self, request)
        assets = [project_asset(project, name="影像服务器")]
        return hs.create_handover(
            actor=request.getfixturevalue("other_clerk"), project=project, assets=assets
        )

    def get_create_data(self, request):
        project = request.getfixturevalue("project")
        return {"project": project.code, "items": [project_asset(project).tag]}

    def write(self, client, obj):
        # Every change of a handover is an action; submitting is the first.
        return client.post(self.action_url(obj, "submit"), format="json")

    def events_of(self, obj):
        return AssetEvent.objects.filter(handover=obj)

    def expected_events(self, obj):
        return obj.items.count()  # one on each card


class TestHandoverAPI(
    HandoverAPIBase,
    ListTests,
    RetrieveTests,
    CreateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
    ActionEventTests,
):
    """Handovers on the generic base: submitting writes an event on each card."""

    event_action = "submit"


class TestHandoverAPIReceiver(HandoverAPIBase, WrongRoleTests):
    """The receiving department neither opens nor submits the builder's handover."""

    wrong_role = "receiver"

    def make_object(self, request):
        # Submitted, so the receiver may read it (a draft is invisible to them: a 404).
        return request.getfixturevalue("submitted")

    def write(self, client, obj):
        return client.post(self.action_url(obj, "withdraw"), {"reason": "x"}, format="json")


class TestHandoverDecisionAPI(HandoverAPIBase, ActionEventTests):
    """The receiver's decision writes an accepted (or rejected) event on each card."""

    reader = "receiver"
    writer = "receiver"
    event_action = "decide"

    def make_object(self, request):
        return request.getfixturevalue("submitted")

    def action_data(self, obj):
        return all_accepted(obj)


# -------------------------------------------------------------------------------- create


def test_clerk_creates_a_draft_with_the_hosts_embedded_components(api, clerk, project):
    host = project_asset(project, name="一体机")
    part = project_asset(project, name="终端接入设备", parent=host, embedded=True)
    answer = api.as_user(clerk).post(
        HANDOVERS,
        {
            "project": project.code,
            "items": [host.tag.lower()],
            "note": "第一批",
            "archives": [{"kind": "licence", "title": "软件授权书", "copies": 2}],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["state"] == "draft"
    assert body["from_department"] == "BDC" and body["to_department"] == "HEALTH"
    assert {i["tag"] for i in body["items"]} == {host.tag, part.tag}
    assert body["archives"] == [
        {"kind": "licence", "title": "软件授权书", "reference": "", "copies": 2}
    ]


def test_adding_an_asset_of_another_owner_is_a_400_naming_it(api, clerk, project, bureau):
    mine = project_asset(project)
    foreign = make_asset(owner=bureau, project=project)
    before = snapshot()
    answer = api.as_user(clerk).post(
        HANDOVERS, {"project": project.code, "items": [mine.tag, foreign.tag]}, format="json"
    )
    assert answer.status_code == 400
    assert foreign.tag in str(answer.json()["items"])
    assert snapshot() == before


def test_a_tag_outside_the_users_scope_is_unknown(api, clerk, project, other_bureau):
    hidden = make_asset(owner=other_bureau)
    answer = api.as_user(clerk).post(
        HANDOVERS, {"project": project.code, "items": [hidden.tag]}, format="json"
    )
    assert answer.status_code == 400
    assert hidden.tag in answer.json()["items"][0]
    assert not Handover.objects.exists()


def test_an_empty_handover_is_refused(api, clerk, project):
    answer = api.as_user(clerk).post(
        HANDOVERS, {"project": project.code, "items": []}, format="json"
    )
    assert answer.status_code == 400
    assert "items" in answer.json()
    assert not Handover.objects.exists()


def test_an_unknown_project_is_a_400_naming_it(api, clerk):
    answer = api.as_user(clerk).post(
        HANDOVERS, {"project": "NOPE", "items": ["YK1"]}, format="json"
    )
    assert answer.status_code == 400
    assert "NOPE" in answer.json()["project"][0]


# ---------------------------------------------------------------------- submit, withdraw


def test_submitting_an_empty_draft_is_a_400(api, clerk, project):
    Handover.objects.create(
        number="YJ-EMPTY",
        project=project,
        from_department=project.builder_department,
        to_department=project.owner_department,
        created_by=clerk,
    )
    answer = api.as_user(clerk).post(f"{HANDOVERS}YJ-EMPTY/submit/")
    assert answer.status_code == 400
    assert "items" in answer.json()


def test_submit_then_withdraw(api, clerk, draft):
    client = api.as_user(clerk)
    answer = client.post(f"{HANDOVERS}{draft.number}/submit/")
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    answer = client.post(f"{HANDOVERS}{draft.number}/withdraw/", {"reason": "重新整理"})
    assert answer.status_code == 200 and answer.json()["state"] == "withdrawn"
    assert client.post(f"{HANDOVERS}{draft.number}/submit/").status_code == 409


def test_a_draft_is_invisible_to_the_receiver(api, receiver, draft):
    assert api.as_user(receiver).get(f"{HANDOVERS}{draft.number}/").status_code == 404


# -------------------------------------------------------------------------------- decide


def test_receiver_accepts_every_item_and_ownership_moves(api, receiver, submitted):
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/",
        {**all_accepted(submitted), "comment": "逐项核对无误"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "accepted" and body["decided_by"] == "receiver"
    assert len(body["certificate_sha256"]) == 64
    for item in submitted.items.select_related("asset"):
        assert item.asset.owner_department.code == "HEALTH"
        assert item.asset.events.filter(handover=submitted).exists()


def test_deciding_someone_elses_handover_is_404(api, wrong_receiver, submitted):
    before = snapshot()
    answer = api.as_user(wrong_receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/", all_accepted(submitted), format="json"
    )
    assert answer.status_code == 404
    assert snapshot() == before


def test_deciding_twice_is_409(api, receiver, submitted):
    client = api.as_user(receiver)
    assert (
        client.post(
            f"{HANDOVERS}{submitted.number}/decide/", all_accepted(submitted), format="json"
        ).status_code
        == 200
    )
    before = snapshot()
    answer = client.post(
        f"{HANDOVERS}{submitted.number}/decide/", all_accepted(submitted), format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "transition_not_allowed"
    assert snapshot() == before


def test_a_blank_result_is_a_400_naming_the_item(api, receiver, submitted):
    first, second = tags_of(submitted)
    before = snapshot()
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/",
        {"items": [{"tag": first, "result": "accepted"}, {"tag": second, "result": ""}]},
        format="json",
    )
    assert answer.status_code == 400
    messages = " ".join(answer.json()["items"])
    assert second in messages and first not in messages
    assert snapshot() == before


def test_a_missing_item_is_a_400_naming_it(api, receiver, submitted):
    first, second = tags_of(submitted)
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/",
        {"items": [{"tag": first, "result": "accepted"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert second in " ".join(answer.json()["items"])


def test_a_rejection_without_a_reason_is_a_400_naming_the_item(api, receiver, submitted):
    first, second = tags_of(submitted)
    before = snapshot()
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/",
        {"items": [{"tag": first, "result": "accepted"}, {"tag": second, "result": "rejected"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert second in " ".join(answer.json()["items"])
    assert snapshot() == before


def test_a_partial_decision_flags_the_rejected_card(api, receiver, submitted):
    first, second = tags_of(submitted)
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/",
        {
            "items": [
                {"tag": first, "result": "accepted"},
                {"tag": second, "result": "rejected", "reason": "序列号不符"},
            ]
        },
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == "partially_accepted"
    rejected = Asset.objects.get(tag=second)
    assert rejected.owner_department.code == "BDC" and not rejected.ownership_confirmed


@pytest.mark.parametrize(
    "payload",
    [
        {"items": "all"},
        {"items": [{"tag": "X", "asset__owner_department__code": "HEALTH", "result": "accepted"}]},
        {"items": [{"tag__startswith": "YK", "result__in": ["accepted"]}]},
        {"items": [{"tag": {"$ne": 1}, "result": "accepted"}]},
        {"items": [["tag", "result"]]},
        {"items": [{"tag": "X", "result": "accepted", "location": "NOWHERE"}]},
    ],
)
def test_nested_items_never_become_lookups_and_bad_shapes_are_400(
    api, receiver, submitted, payload
):
    before = snapshot()
    answer = api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/", payload, format="json"
    )
    assert answer.status_code == 400
    assert snapshot() == before


# ------------------------------------------------------------------------- the matrix

ACTIONS = {
    "list": ("get", ""),
    "retrieve": ("get", "{number}/"),
    "create": ("post", ""),
    "submit": ("post", "{number}/submit/"),
    "withdraw": ("post", "{number}/withdraw/"),
    "decide": ("post", "{number}/decide/"),
    "certificate": ("get", "{number}/certificate.pdf"),
}
# (user fixture, action) → status. The handover is submitted; "certificate" of an undecided
# handover is 404 for everyone who can see it.
MATRIX = [
    ("clerk", "list", 200),
    ("clerk", "retrieve", 200),
    ("clerk", "create", 201),
    ("clerk", "submit", 409),
    ("clerk", "withdraw", 200),
    ("clerk", "decide", 403),
    ("receiver", "list", 200),
    ("receiver", "retrieve", 200),
    ("receiver", "create", 403),
    ("receiver", "submit", 403),
    ("receiver", "withdraw", 403),
    ("receiver", "decide", 200),
    ("wrong_receiver", "retrieve", 404),
    ("wrong_receiver", "decide", 404),
    ("wrong_receiver", "certificate", 404),
    ("stranger_clerk", "retrieve", 404),
    ("stranger_clerk", "submit", 404),
    ("stranger_clerk", "withdraw", 404),
    ("stranger_clerk", "certificate", 404),
    # A clerk of the receiving department reads it but neither prepares nor decides.
    ("other_clerk", "retrieve", 200),
    ("other_clerk", "submit", 403),
    ("other_clerk", "withdraw", 403),
    ("other_clerk", "decide", 403),
    ("admin_user", "retrieve", 200),
    ("admin_user", "decide", 403),
    ("auditor", "list", 200),
    ("auditor", "retrieve", 200),
    ("auditor", "create", 403),
    ("auditor", "submit", 403),
    ("auditor", "withdraw", 403),
    ("auditor", "decide", 403),
    (None, "list", 401),
    (None, "decide", 401),
]


@pytest.mark.parametrize(("who", "action", "expected"), MATRIX)
def test_permission_matrix(api, request, submitted, project, who, action, expected):
    method, path = ACTIONS[action]
    if who is not None:
        api.as_user(request.getfixturevalue(who))
    data = None
    if action == "create":
        data = {"project": project.code, "items": [project_asset(project).tag]}
    elif action == "decide":
        data = all_accepted(submitted)
    url = HANDOVERS + path.format(number=submitted.number)
    answer = getattr(api, method)(url, data, format="json") if data else getattr(api, method)(url)
    assert answer.status_code == expected, (who, action, answer.content[:300])


def test_lists_hold_only_visible_handovers(api, stranger_clerk, wrong_receiver, submitted):
    for user in (stranger_clerk, wrong_receiver):
        answer = api.as_user(user).get(HANDOVERS)
        assert answer.status_code == 200 and answer.json()["results"] == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_has_a_query_ceiling(
    api, auditor, project, clerk, count, django_assert_max_num_queries
):
    for _ in range(count):
        hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    api.as_user(auditor)
    with django_assert_max_num_queries(12):
        answer = api.get(HANDOVERS)
    assert answer.json()["count"] == count


# -------------------------------------------------------------------------- certificate


def test_the_certificate_is_the_stored_file(api, receiver, auditor, submitted):
    assert (
        api.as_user(auditor).get(f"{HANDOVERS}{submitted.number}/certificate.pdf").status_code
        == 404
    )
    api.as_user(receiver).post(
        f"{HANDOVERS}{submitted.number}/decide/", all_accepted(submitted), format="json"
    )
    answer = api.as_user(auditor).get(f"{HANDOVERS}{submitted.number}/certificate.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    content = b"".join(answer.streaming_content)
    submitted.refresh_from_db()
    assert hashlib.sha256(content).hexdigest() == submitted.certificate_sha256


# ----------------------------------------------------------------------------- projects


def test_clerk_creates_a_project_and_the_due_date_follows_acceptance(api, clerk):
    answer = api.as_user(clerk).post(
        PROJECTS,
        {
            "code": "DJ-2025-07",
            "name": "智慧医疗平台",
            "builder_department": "BDC",
            "owner_department": "BUREAU",
            "accepted_on": "2025-01-20",
            "budget": "1200000.00",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["handover_due_on"] == "2025-04-20"
    assert answer.json()["final_accounts_state"] == "pending"


def test_a_clerk_cannot_create_a_project_for_another_builder(api, other_clerk):
    answer = api.as_user(other_clerk).post(
        PROJECTS,
        {"code": "P", "name": "x", "builder_department": "BDC", "owner_department": "HEALTH"},
        format="json",
    )
    assert answer.status_code == 400
    assert "builder_department" in answer.json()


def test_projects_are_scoped(api, other_clerk, wrong_receiver, receiver, project):
    assert api.as_user(wrong_receiver).get(PROJECTS).json()["results"] == []
    assert api.as_user(wrong_receiver).get(f"{PROJECTS}{project.code}/").status_code == 404
    assert [p["code"] for p in api.as_user(receiver).get(PROJECTS).json()["results"]] == [
        project.code
    ]


def test_final_accounts_cannot_be_patched(api, clerk, project):
    answer = api.as_user(clerk).patch(
        f"{PROJECTS}{project.code}/", {"final_accounts_state": "approved"}, format="json"
    )
    assert answer.status_code == 400
    assert "final_accounts_state" in answer.json()
    project.refresh_from_db()
    assert project.final_accounts_state == "pending"


def test_the_auditor_cannot_change_a_project(api, auditor, project):
    answer = api.as_user(auditor).patch(f"{PROJECTS}{project.code}/", {"name": "x"})
    assert answer.status_code == 403


def test_approving_final_accounts_revalues_provisional_cards(api, clerk, project):
    asset = project_asset(
        project, value_type=Asset.ValueType.PROVISIONAL, original_value=Decimal("5000.00")
    )
    answer = api.as_user(clerk).post(
        f"{PROJECTS}{project.code}/final-accounts/",
        {
            "approved_on": "2024-10-08",
            "reference": "财建决〔2024〕3号",
            "values": [{"tag": asset.tag, "value": "4800.00"}],
        },
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json() == [{"tag": asset.tag, "before": "5000.00", "after": "4800.00"}]
    asset.refresh_from_db()
    assert asset.value_type == Asset.ValueType.FINAL
    project.refresh_from_db()
    assert project.final_accounts_state == DelegatedProject.FinalAccountsState.APPROVED


def test_overdue_projects(api, auditor, centre, other_bureau):
    late = make_project(
        builder=centre, owner=other_bureau, code="LATE", accepted_on=date(2020, 1, 1)
    )
    make_asset(owner=centre, project=late)
    answer = api.as_user(auditor).get(f"{PROJECTS}overdue/")
    assert [p["code"] for p in answer.json()["results"]] == ["LATE"]
    answer = api.as_user(auditor).get(f"{PROJECTS}overdue/?kind=final_accounts")
    assert [p["code"] for p in answer.json()["results"]] == ["LATE"]


def test_the_schema_lists_the_handover_actions(api, auditor):
    answer = api.as_user(auditor).get("/api/v1/schema/?format=json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for path in (
        "/api/v1/handovers/{number}/decide/",
        "/api/v1/handovers/{number}/submit/",
        "/api/v1/handovers/{number}/withdraw/",
        "/api/v1/handovers/{number}/certificate.pdf",
        "/api/v1/projects/{code}/final-accounts/",
    ):
        assert path in paths
