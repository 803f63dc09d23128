"""Walk 2 and 6: a difference names its disposal case. The number links the case's page only
for a reader that page admits (`permissions.readable_disposals`, the rule of the disposal
detail page); anyone else reads the number as text. Beside a case not executed yet the words
say the case's own state (草稿) and that the card is still on the books: no 核销 claimed."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from assets import permissions as asset_permissions
from inventory.models import Difference
from inventory.services import campaigns, differences
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def office_clerk(sibling):
    """A clerk of the centre's sibling office, assigned to count the centre's room 101."""
    return UserFactory(username="officeclerk", department=sibling, roles=["clerk"])


@pytest.fixture
def posted(bureau, centre, room, clerk, office_clerk, admin_user):
    """A shortage counted by the office clerk in the centre's room, posted into the centre's
    draft write-off case."""
    card = make_asset(owner=centre, actor=clerk, location=room, name="服务器")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[bureau],
        assignments=[(office_clerk, None, room)],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    difference = Difference.objects.get(campaign=campaign, line__asset=card)
    for action in ("explain", "approve", "post"):
        differences.treat_differences(
            differences=[difference], actor=admin_user, action=action, reason="盘点未找到"
        )
    difference.refresh_from_db()
    assert difference.disposal is not None and difference.disposal.state == "draft"
    return campaign, difference


@pytest.fixture(autouse=True)
def _site_language_after():
    """The pages activate the language each request asks for; later tests expect the site's."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pages(campaign, difference):
    return [
        reverse("inventory:difference-list", args=[campaign.pk]),
        reverse("inventory:difference-detail", args=[campaign.pk, difference.pk]),
        reverse("inventory:campaign-detail", args=[campaign.pk]),
    ]


def test_a_reader_the_case_refuses_sees_its_number_without_a_link(
    client, posted, office_clerk, auditor
):
    campaign, difference = posted
    case = difference.disposal
    link = f'href="{reverse("assets:disposal-detail", args=[case.number])}"'
    # The office clerk reads the difference but the case's page answers 404 for them.
    assert not asset_permissions.readable_disposals(office_clerk).filter(pk=case.pk).exists()
    client.force_login(office_clerk)
    assert client.get(reverse("assets:disposal-detail", args=[case.number])).status_code == 404
    for url in pages(campaign, difference):
        body = client.get(url, **ZH).content.decode()
        assert case.number in body, url
        assert link not in body, url
    # The auditor opens it, and every page links it.
    client.force_login(auditor)
    assert client.get(reverse("assets:disposal-detail", args=[case.number])).status_code == 200
    for url in pages(campaign, difference):
        assert link in client.get(url, **ZH).content.decode(), url


@pytest.mark.parametrize(
    ("headers", "state", "pending", "posted_word"),
    [
        (ZH, "草稿", "尚未执行，卡片仍在账上", "已入账"),
        (EN, "Draft", "not executed yet: the card is still on the books", "Posted"),
    ],
)
def test_beside_a_draft_case_the_words_say_draft_not_written_off(
    client, posted, auditor, headers, state, pending, posted_word
):
    campaign, difference = posted
    client.force_login(auditor)
    for url in pages(campaign, difference)[:2]:
        body = client.get(url, **headers).content.decode()
        cell = re.search(r"data-disposal-case>(.*?)</span></span>", body, re.S).group(1)
        assert state in cell and pending in cell, url
        # The difference's own state neither claims the write-off nor shows as done (green).
        assert "核销" not in re.sub(r"<[^>]+>", "", cell), url
        assert "已入账/核销" not in body, url
        assert f'badge--ok">{posted_word}' not in body, url
        assert f'id="difference-state">{posted_word}' in body or posted_word in body, url
