"""Walk findings 12 and 32: an approval refused by the service keeps what the approver typed;
a draft case can be edited and deleted (asking first, saying what goes)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assets.models import Asset, DisposalCase, DisposalItem

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_an_approval_date_before_submission_keeps_the_typed_number_and_date(
    client, approver, submitted
):
    client.force_login(approver)
    early = date.today() - timedelta(days=30)
    response = client.post(
        reverse("assets:disposal-approve", args=[submitted.number]),
        {"approval_no": "市数据局〔2026〕12号", "approved_on": early.isoformat()},
        **ZH,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="市数据局〔2026〕12号"' in body and f'value="{early.isoformat()}"' in body
    assert response.context["approve_form"].errors.get("approved_on")
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_a_draft_is_edited_on_its_own_form(client, clerk, draft, cards):
    client.force_login(clerk)
    detail = client.get(reverse("assets:disposal-detail", args=[draft.number]), **ZH)
    edit_url = reverse("assets:disposal-edit", args=[draft.number])
    assert edit_url in detail.content.decode()
    form = client.get(edit_url, **ZH).content.decode()
    assert cards[0].tag in form and "编辑草稿" in form
    response = client.post(
        edit_url,
        {
            "method": "scrap",
            "grounds": "past_life",
            "reason": "性能不足",
            "components": "refuse",
            "tags": "\n".join(c.tag for c in cards[:2]),
        },
        **ZH,
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.reason == "性能不足"
    assert set(draft.items.values_list("asset", flat=True)) == {c.pk for c in cards[:2]}


def test_a_draft_is_deleted_after_a_confirm_that_says_what_goes(client, clerk, draft, cards):
    client.force_login(clerk)
    detail = client.get(reverse("assets:disposal-detail", args=[draft.number]), **ZH)
    body = detail.content.decode()
    assert reverse("assets:disposal-delete", args=[draft.number]) in body
    assert f"删除草稿 {draft.number}？" in body and "3 张卡片" in body
    response = client.post(reverse("assets:disposal-delete", args=[draft.number]), **ZH)
    assert response.status_code == 302 and response["Location"] == reverse("assets:disposal-list")
    assert not DisposalCase.objects.filter(pk=draft.pk).exists()
    assert not DisposalItem.objects.exists()
    assert {c.status for c in Asset.objects.filter(pk__in=[c.pk for c in cards])} == {"in_use"}


def test_a_submitted_case_is_neither_edited_nor_deleted(client, clerk, submitted):
    client.force_login(clerk)
    body = client.get(reverse("assets:disposal-detail", args=[submitted.number])).content.decode()
    assert reverse("assets:disposal-delete", args=[submitted.number]) not in body
    assert client.get(reverse("assets:disposal-edit", args=[submitted.number])).status_code == 403
    client.post(reverse("assets:disposal-delete", args=[submitted.number]))
    assert DisposalCase.objects.filter(pk=submitted.pk).exists()


def test_the_api_deletes_a_draft_and_refuses_a_submitted_case(api, clerk, centre, submitted):
    from assets.disposals import services as ds
    from tests.factories import make_asset

    spare = make_asset(owner=centre, in_service_on=date(2016, 3, 1), name="旧打印机")
    other = ds.create_disposal(
        actor=clerk, fields={"method": "scrap", "grounds": "past_life"}, tags=[spare.tag]
    )
    api.as_user(clerk)
    assert api.delete(f"/api/v1/disposals/{submitted.number}/").status_code == 409
    assert DisposalCase.objects.filter(pk=submitted.pk).exists()
    assert api.delete(f"/api/v1/disposals/{other.number}/").status_code == 204
    assert not DisposalCase.objects.filter(pk=other.pk).exists()
