"""New-user walk fixes in the browser, phone and desk, zh-hans and English: the batch print names
the labels it voids and a card listed on its host has no tick box (10, 11); a card under repair
offers 维修完成 (8); a disposal draft is edited and deleted, asked first (32); a confirm waits for
the form's required fields (31); the language switch waits for its button (35); the new handover
picker sent empty says what is missing (34)."""

import pytest
from django.utils import timezone

from assets.attachments import services as attachment_services
from assets.attachments.models import AttachmentWithdrawal
from assets.disposals import services as disposal_services
from assets.maintenance import services as maintenance_services
from assets.models import Asset, DisposalCase
from labels import services as label_services
from labels.models import Label, LabelTemplate, PrintBatch
from tests.assets.attachments import files
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def attachment_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
        },
    }
    return tmp_path


@pytest.fixture
def walk(centre, clerk, attachment_root):
    labelled = make_asset(owner=centre, actor=clerk, name="台式计算机")
    label_services.print_labels(
        actor=clerk, assets=[labelled], template=LabelTemplate.objects.get(code="a4-70x40")
    )
    fresh = make_asset(owner=centre, actor=clerk, name="打印机")
    host = make_asset(owner=centre, actor=clerk, name="服务器")
    nested = make_asset(
        owner=centre,
        actor=clerk,
        parent=host,
        embedded=True,
        name="服务器密码卡",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    away = make_asset(owner=centre, actor=clerk, name="机架式服务器")
    maintenance_services.record_repair(
        asset=away,
        actor=clerk,
        fields={"fault": "开机无显示", "vendor": "浪潮售后", "started_on": timezone.localdate()},
    )
    old = make_asset(owner=centre, actor=clerk, name="旧台式机")
    draft = disposal_services.create_disposal(
        actor=clerk,
        fields={"method": "scrap", "grounds": "other", "reason": "损坏无法修复"},
        tags=[old.tag],
    )
    report = attachment_services.add_attachment(
        actor=clerk,
        subject=f"asset:{fresh.tag}",
        kind="acceptance_report",
        upload=files.upload(files.pdf_bytes(), "验收报告.pdf"),
    )
    return {
        "labelled": labelled,
        "fresh": fresh,
        "nested": nested,
        "away": away,
        "draft": draft,
        "report": report,
    }


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_walk_fixes_of_the_clerks_pages(language, device, base_url, new_context, walk):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    suffix = "-phone" if device == "phone" else ""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    sign_in(visit, base_url, "clerk")

    # 10, 11: the queue: no tick for the nested card; a reprint asks first, naming label no. 1.
    visit.goto(f"{base_url}/labels/")
    assert page.locator(f"input.select-row[value='{walk['nested'].tag}']").count() == 0
    assert visit.t("On the host's component sheet") in page.inner_text("table")
    page.check(f"input.select-row[value='{walk['labelled'].tag}']")
    page.check(f"input.select-row[value='{walk['fresh'].tag}']")
    with page.expect_navigation():
        page.click("#print-panel button[type=submit]")
    warning = page.inner_text("#print-void-confirm")
    assert walk["labelled"].tag in warning and walk["fresh"].tag not in warning
    assert PrintBatch.objects.count() == 1
    visit.check(f"labels-batch-void-confirm{suffix}")
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Print and void the old labels")).click()
    assert "/labels/batches/" in page.url
    assert Label.objects.get(asset=walk["labelled"], superseded_at=None).serial == 2

    # 8: the card under repair offers 维修完成, which leads to the return form.
    visit.goto(f"{base_url}/assets/{walk['away'].tag}/")
    finish = page.locator("[data-repair-action]")
    assert finish.inner_text().strip() == visit.t("Repair finished (return)")
    finish.scroll_into_view_if_needed()
    visit.check(f"card-repair-finished-button{suffix}")
    with page.expect_navigation():
        finish.click()
    page.fill("input[name='finish-finished_on']", timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Record the return")).click()
    walk["away"].refresh_from_db()
    assert walk["away"].status == Asset.Status.IN_USE

    # 31: withdrawing with no reason: the form's own check comes first, no question is put.
    withdraw_url = f"{base_url}/attachments/{walk['report'].pk}/withdraw/"
    visit.goto(withdraw_url)
    before = len(dialogs)
    page.get_by_role("button", name=visit.t("Withdraw the file")).click()
    page.wait_for_timeout(500)
    assert len(dialogs) == before, dialogs
    assert page.url == withdraw_url and page.locator("textarea[name=reason]:invalid").count() == 1
    assert not AttachmentWithdrawal.objects.exists()
    page.fill("textarea[name=reason]", "传错了文件")
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Withdraw the file")).click()
    assert len(dialogs) == before + 1 and AttachmentWithdrawal.objects.count() == 1

    # 32: the draft is edited, then deleted after a confirm naming it.
    number = walk["draft"].number
    visit.goto(f"{base_url}/disposals/{number}/")
    visit.check(f"disposal-draft-actions{suffix}")
    with page.expect_navigation():
        page.get_by_role("link", name=visit.t("Edit draft")).click()
    page.fill("textarea[name=reason]", "主板损坏，无法修复")
    visit.check(f"disposal-draft-edit{suffix}")
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Save draft")).click()
    assert DisposalCase.objects.get(number=number).reason == "主板损坏，无法修复"
    before = len(dialogs)
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Delete draft")).click()
    assert len(dialogs) == before + 1 and number in dialogs[-1]
    assert not DisposalCase.objects.filter(number=number).exists()
    assert page.url.endswith("/disposals/")

    # 34: the handover picker sent empty says what is missing.
    visit.goto(f"{base_url}/handovers/new/")
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Show its assets")).click()
    assert visit.t("Choose the project whose assets are handed over.") in page.inner_text("main")
    visit.check(f"handover-new-no-project{suffix}")

    # 35: choosing another language changes nothing until the button is pressed.
    url = page.url
    other = "en" if language == "zh-hans" else "zh-hans"
    page.select_option("#lang-select", other)
    page.wait_for_timeout(500)
    assert page.url == url and page.get_attribute("html", "lang") == language
    with page.expect_navigation():
        page.click(".lang-switch button[type=submit]")
    assert page.get_attribute("html", "lang") == other
