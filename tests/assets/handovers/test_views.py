"""Web pages of handovers: the builder's form, the receiver's inbox and review, the handover page."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, Handover
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def project_asset(project, **fields):
    return make_asset(owner=project.builder_department, project=project, **fields)


def browser(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitted(project, clerk):
    assets = [project_asset(project, name="核心交换机"), project_asset(project, name="防火墙")]
    handover = hs.create_handover(actor=clerk, project=project, assets=assets)
    return hs.submit_handover(handover=handover, actor=clerk)


def review_url(handover):
    return reverse("assets:handover-review", args=[handover.number])


def tags_of(handover):
    return list(handover.items.order_by("asset__tag").values_list("asset__tag", flat=True))


def test_clerk_creates_a_draft_by_ticking_and_scanning(project, clerk):
    ticked = project_asset(project, name="服务器")
    scanned = project_asset(project, name="存储")
    client = browser(clerk)
    page = client.get(reverse("assets:handover-create"), {"project": project.code})
    assert page.status_code == 200 and ticked.tag in page.content.decode()
    answer = client.post(
        reverse("assets:handover-create"),
        {
            "project": project.code,
            "assets": [ticked.tag],
            "scanned": f"https://yika.example/a/{scanned.tag}?l=3",
        },
    )
    handover = Handover.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("assets:handover-detail", args=[handover.number])
    assert set(tags_of(handover)) == {ticked.tag, scanned.tag}


def test_the_form_names_an_asset_of_another_owner(project, clerk, bureau):
    foreign = make_asset(owner=bureau, project=project)
    answer = browser(clerk).post(
        reverse("assets:handover-create"), {"project": project.code, "scanned": foreign.tag}
    )
    assert answer.status_code == 400
    assert foreign.tag in answer.content.decode()
    assert not Handover.objects.exists()


def test_receivers_and_auditors_get_no_form(project, receiver, auditor):
    for user in (receiver, auditor):
        assert browser(user).get(reverse("assets:handover-create")).status_code == 403


def test_clerk_submits_from_the_handover_page(project, clerk):
    handover = hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    client = browser(clerk)
    page = client.get(reverse("assets:handover-detail", args=[handover.number]))
    assert reverse("assets:handover-submit", args=[handover.number]) in page.content.decode()
    client.post(reverse("assets:handover-submit", args=[handover.number]))
    handover.refresh_from_db()
    assert handover.state == Handover.State.SUBMITTED


def test_clerk_withdraws(project, clerk, submitted):
    browser(clerk).post(reverse("assets:handover-withdraw", args=[submitted.number]))
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.WITHDRAWN


def test_the_inbox_lists_what_waits_for_the_receiver(receiver, wrong_receiver, submitted):
    page = browser(receiver).get(reverse("assets:handover-inbox"))
    assert submitted.number in page.content.decode()
    other = browser(wrong_receiver).get(reverse("assets:handover-inbox"))
    assert submitted.number not in other.content.decode()


def test_review_accepting_every_item_moves_ownership(receiver, submitted):
    data = {f"result-{tag}": "accepted" for tag in tags_of(submitted)}
    answer = browser(receiver).post(review_url(submitted), {**data, "comment": "同意"})
    assert answer.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.ACCEPTED
    assert set(
        Asset.objects.filter(tag__in=tags_of(submitted)).values_list(
            "owner_department__code", flat=True
        )
    ) == {"HEALTH"}
    page = browser(receiver).get(reverse("assets:handover-detail", args=[submitted.number]))
    assert submitted.certificate_sha256 in page.content.decode()


def test_review_with_a_blank_item_is_refused_and_names_it(receiver, submitted):
    first, second = tags_of(submitted)
    events = AssetEvent.objects.count()
    answer = browser(receiver).post(
        review_url(submitted), {f"result-{first}": "accepted", f"reason-{first}": ""}
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert second in body.split('role="alert"')[1].split("</div>")[0]
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.SUBMITTED
    assert AssetEvent.objects.count() == events


def test_review_rejection_needs_a_reason(receiver, submitted):
    first, second = tags_of(submitted)
    answer = browser(receiver).post(
        review_url(submitted), {f"result-{first}": "accepted", f"result-{second}": "rejected"}
    )
    assert answer.status_code == 400
    assert second in answer.content.decode()


def test_review_a_partial_decision(receiver, submitted):
    first, second = tags_of(submitted)
    browser(receiver).post(
        review_url(submitted),
        {
            f"result-{first}": "accepted",
            f"result-{second}": "rejected",
            f"reason-{second}": "缺少授权",
        },
    )
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.PARTIALLY_ACCEPTED


def test_deciding_twice_on_the_page_is_409(receiver, submitted):
    data = {f"result-{tag}": "accepted" for tag in tags_of(submitted)}
    client = browser(receiver)
    client.post(review_url(submitted), data)
    assert client.post(review_url(submitted), data).status_code == 409


@pytest.mark.parametrize(
    ("who", "status"), [("wrong_receiver", 404), ("clerk", 403), ("auditor", 403)]
)
def test_only_the_receiving_department_reviews(request, submitted, who, status):
    client = browser(request.getfixturevalue(who))
    assert client.get(review_url(submitted)).status_code == status
    data = {f"result-{tag}": "accepted" for tag in tags_of(submitted)}
    assert client.post(review_url(submitted), data).status_code == status
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.SUBMITTED


def test_auditor_reads_the_list_and_the_page_but_cannot_act(auditor, submitted):
    client = browser(auditor)
    assert submitted.number in client.get(reverse("assets:handover-list")).content.decode()
    page = client.get(reverse("assets:handover-detail", args=[submitted.number]))
    assert page.status_code == 200
    assert reverse("assets:handover-withdraw", args=[submitted.number]) not in page.content.decode()
    assert (
        client.post(reverse("assets:handover-withdraw", args=[submitted.number])).status_code == 403
    )


def test_another_departments_handover_page_is_404(wrong_receiver, submitted):
    client = browser(wrong_receiver)
    assert client.get(reverse("assets:handover-detail", args=[submitted.number])).status_code == 404
    url = reverse("assets:handover-certificate", args=[submitted.number])
    assert client.get(url).status_code == 404


def test_the_certificate_downloads_after_the_decision(receiver, submitted):
    client = browser(receiver)
    url = reverse("assets:handover-certificate", args=[submitted.number])
    assert client.get(url).status_code == 404
    client.post(review_url(submitted), {f"result-{t}": "accepted" for t in tags_of(submitted)})
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"


def test_names_are_escaped_on_the_pages(project, clerk, receiver):
    asset = project_asset(project, name='<script>alert("x")</script>')
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    for url in (
        reverse("assets:handover-detail", args=[handover.number]),
        review_url(handover),
    ):
        body = browser(receiver).get(url).content.decode()
        assert '<script>alert("x")</script>' not in body
        assert "&lt;script&gt;" in body


def test_the_overdue_page_lists_late_projects(auditor, project):
    project_asset(project)
    page = browser(auditor).get(reverse("assets:project-overdue"))
    assert page.status_code == 200
    assert project.code in page.content.decode()


# --- 14.6: the decision asks first, in numbers, and answers with what happened ---------------


def _fieldset(body: str, tag: str) -> str:
    return body.split(f'id="item-{tag}"')[1].split("</fieldset>")[0]


def test_the_decide_button_asks_for_confirmation_naming_the_receiving_department(
    receiver, submitted
):
    body = browser(receiver).get(review_url(submitted)).content.decode()
    button = body.split("data-decide")[1].split(">")[0]
    assert "data-confirm-template=" in button
    assert "{accepted}" in button and "{rejected}" in button
    assert submitted.to_department.name in button


def test_the_reason_box_is_a_textarea_so_enter_cannot_submit_the_decision(receiver, submitted):
    body = browser(receiver).get(review_url(submitted)).content.decode()
    for tag in tags_of(submitted):
        assert f'<textarea id="reason-{tag}" name="reason-{tag}"' in body
        assert f'<input type="text" id="reason-{tag}"' not in body


def test_the_decision_answers_with_what_happened_in_numbers(receiver, submitted):
    first, second = tags_of(submitted)
    answer = browser(receiver).post(
        review_url(submitted),
        {f"result-{first}": "accepted", f"result-{second}": "rejected", f"reason-{second}": "缺"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = answer.content.decode()
    assert "1 item accepted, 1 rejected" in text
    assert f"Ownership of the accepted item moved to {submitted.to_department.name}" in text


# --- 14.17: the review highlights every refused item and focuses the first -------------------


def test_review_highlights_blank_and_reasonless_items_and_focuses_the_first(receiver, submitted):
    extra = project_asset(submitted.project, name="存储")
    first, second = tags_of(submitted)
    answer = browser(receiver).post(
        review_url(submitted), {f"result-{second}": "rejected", f"reason-{second}": "  "}
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    alert = body.split('role="alert"')[1].split("</div>")[0]
    assert first in alert and second in alert
    blank, reasonless = _fieldset(body, first), _fieldset(body, second)
    assert "card--invalid" in body.split(f'id="item-{first}"')[0].rsplit("<fieldset", 1)[1]
    assert f'id="error-{first}"' in blank and 'aria-invalid="true"' in blank
    assert f'id="error-{second}"' in reasonless
    # The blank item's radios are invalid and the first gets the focus; the rejected one's
    # reason box is the invalid control there.
    accept = blank.split(f'id="accept-{first}"')[1].split(">")[0]
    assert 'aria-invalid="true"' in accept and "autofocus" in accept
    reason = reasonless.split(f'id="reason-{second}"')[1].split(">")[0]
    assert 'aria-invalid="true"' in reason and "autofocus" not in reason
    assert body.count("autofocus") == 1
    assert extra.tag not in body  # not in this handover


def test_review_with_every_item_decided_marks_nothing_invalid(receiver, submitted):
    body = browser(receiver).get(review_url(submitted)).content.decode()
    assert 'aria-invalid="true"' not in body and "card--invalid" not in body


# --- 14.17: the new handover form -----------------------------------------------------------


def test_the_new_handover_form_asks_for_the_project_once(project, clerk):
    project_asset(project, name="服务器")
    body = browser(clerk).get(reverse("assets:handover-create"), {"project": project.code})
    body = body.content.decode()
    assert body.count('name="project"') == 2  # the picker, and the form's hidden copy
    assert f'<input type="hidden" name="project" value="{project.code}"' in body
    assert (
        "<select"
        not in body.split('method="post"')[1].split("</form>")[0].split('name="to_department"')[0]
    )


def test_the_new_handover_item_table_has_select_all_and_named_columns(project, clerk):
    a = project_asset(project, name="服务器", model="FusionServer 2288H")
    b = project_asset(project, name="存储")
    client = browser(clerk)
    body = client.get(
        reverse("assets:handover-create"), {"project": project.code}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    form = body.split('method="post" class="form form--wide"')[1]
    assert 'id="select-all" data-select-all' in form.split("<table")[0]
    head = body.split("<thead>")[1].split("</thead>")[0]
    # (资产名称 for "Name" is issue 14.3's catalogue fix, tested there.)
    for heading in ("选择", "资产编号", "规格型号", "产品序列号"):
        assert heading in head
    assert "项数" not in head
    english = client.get(
        reverse("assets:handover-create"), {"project": project.code}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    head = english.split("<thead>")[1].split("</thead>")[0]
    for heading in ("Select", "Tag", "Name", "Model", "Serial number"):
        assert f"{heading}</th>" in head
    for asset in (a, b):
        assert f'name="assets" value="{asset.tag}"' in body
    answer = client.post(
        reverse("assets:handover-create"), {"project": project.code, "assets": [a.tag, b.tag]}
    )
    assert answer.status_code == 302
    assert set(tags_of(Handover.objects.get())) == {a.tag, b.tag}


def test_the_new_handover_form_keeps_ticks_when_it_comes_back_with_errors(project, clerk):
    a = project_asset(project, name="服务器")
    answer = browser(clerk).post(
        reverse("assets:handover-create"),
        {"project": project.code, "assets": [a.tag], "scanned": "NOPE-1"},
    )
    assert answer.status_code == 400
    assert f'value="{a.tag}" id="asset-{a.tag}" data-select-item checked' in answer.content.decode()


def test_a_too_long_reason_is_refused_beside_its_item_not_cut(receiver, submitted):
    """14.19: the review used to cut reasons at 2,000 characters without a word."""
    first, second = tags_of(submitted)
    answer = browser(receiver).post(
        review_url(submitted),
        {
            f"result-{first}": "accepted",
            f"result-{second}": "rejected",
            f"reason-{second}": "理" * 2500,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    row = _fieldset(answer.content.decode(), second)
    assert "at most 2000 characters; this text has 2500" in row
    assert "理" * 2500 in row  # the text comes back whole, to be shortened
    submitted.refresh_from_db()
    assert submitted.state == Handover.State.SUBMITTED


def test_the_project_handover_offers_only_the_owner_and_its_offices(project, clerk):
    """walk5-3: every department was offered, and those outside the project's owner were then
    refused ("接收单位必须是项目权属单位…"): only the owner's tree is offered."""
    from tests.factories import DepartmentFactory

    ward = DepartmentFactory(
        code="HEALTH-YZ", name="市卫健委医政处", parent=project.owner_department
    )
    stranger = DepartmentFactory(code="EDU", name="市教育局", kind="bureau")
    project_asset(project, name="服务器")
    body = browser(clerk).get(reverse("assets:handover-create"), {"project": project.code})
    select = body.content.decode().split('name="to_department"')[1].split("</select>")[0]
    assert f'value="{project.owner_department.code}"' in select
    assert f'value="{ward.code}"' in select
    assert f'value="{stranger.code}"' not in select
    assert f'value="{project.builder_department.code}"' not in select
