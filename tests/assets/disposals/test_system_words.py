"""New-user walk 10: text the system writes is said in the reader's language. A disposal case
that posting a stocktake's damage or shortages opens keeps its reason as a code and values
(`DisposalCase.reason_code`), not the poster's Chinese; the demo's administrator account has no
name that reads as the system's own words; the system itself is named in the reader's language."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override

from assets.disposals import services as disposal_services
from assets.models import DisposalCase, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    # The demo is seeded in Chinese, as `make run` does (LANGUAGE_CODE zh-hans).
    with override("zh-hans"):
        call_command("seed_demo", stdout=io.StringIO())
    return DisposalCase.objects.filter(stocktake_differences__isnull=False).distinct().get()


def test_the_stocktake_case_says_its_reason_in_the_readers_language(client, demo):
    client.force_login(User.objects.get(username="auditor"))
    url = reverse("assets:disposal-detail", args=[demo.number])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "found by the count" in english
    assert "清查发现" not in english
    assert "系统管理员" not in english  # who prepared it: the demo administrator
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "清查发现的毁损" in chinese
    # The API keeps `reason` as the reason's text (in the request's language) and names the code.
    body = client.get(f"/api/v1/disposals/{demo.number}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["reason_code"] == "stocktake_found"
    assert body["reason"].endswith("found by the count.")
    assert "毁损" not in body["reason"]  # English labels carry no Chinese gloss
    assert not body["reason"].startswith("盘点")


def test_a_reason_a_person_rewrites_is_theirs(demo):
    clerk = User.objects.get(username="admin")  # the demo administrator posted it
    with override("en"):
        shown = demo.reason_shown
        # The edit form sends the reason back as shown: the system's reason stays a code.
        case = disposal_services.update_disposal(case=demo, actor=clerk, fields={"reason": shown})
        assert case.reason_code == "stocktake_found"
        case = disposal_services.update_disposal(
            case=case, actor=clerk, fields={"reason": "柜子里找到的旧电脑已损坏"}
        )
    case.refresh_from_db()
    assert (case.reason_code, case.reason_params) == ("", {})
    with override("en"):
        assert case.reason_shown == "柜子里找到的旧电脑已损坏"


def test_the_migration_reads_the_reasons_written_so_far(demo):
    import importlib

    migration = importlib.import_module("assets.migrations.0024_disposal_reason_code")
    campaign = demo.reason_params["campaign"]
    for written in (
        f"盘点“{campaign}”清查发现的盘亏、毁损。",
        f"Stocktake {campaign}: Shortage (盘亏), Damaged (毁损) found by the count.",
    ):
        DisposalCase.objects.filter(pk=demo.pk).update(
            reason=written, reason_code="", reason_params={}
        )
        migration.read_reasons(apps, None)
        demo.refresh_from_db()
        assert demo.reason_code == "stocktake_found"
        assert demo.reason_params == {"campaign": campaign, "kinds": ["damaged", "shortage"]}
    # A reason a person wrote stays theirs.
    DisposalCase.objects.filter(pk=demo.pk).update(
        reason="盘点时发现屏幕碎裂。", reason_code="", reason_params={}
    )
    migration.read_reasons(apps, None)
    demo.refresh_from_db()
    assert demo.reason_code == ""


def test_the_system_is_named_in_the_readers_language():
    from assets.templatetags.yika import actor

    with override("en"):
        assert actor(None) == "the system"
    with override("zh-hans"):
        assert actor(None) == "系统"
