"""A user chooses on their account page how reminders reach them (issue 20): they turn e-mail
and the WeCom robot off and DingTalk on with their DingTalk user id; the next reminder goes to
the DingTalk robot only (a real HTTP receiver on 127.0.0.1), mentioning them, and no e-mail."""

import pytest
from django.core import mail

from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.inventory.reminders.test_channels import DING_SECRET, Receiver, channel, reminder

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def receiver(settings):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    server = Receiver()
    yield server
    server.close()


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_next_reminder_goes_the_way_the_user_chose(
    language, device, base_url, new_context, receiver, clerk, centre
):
    from inventory.models import ReminderLog
    from inventory.reminders import jobs as reminders

    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    channel("wecom", receiver.url("/cgi-bin/webhook/send?key=wecom-key"), department=centre)
    channel(
        "dingtalk",
        receiver.url("/robot/send?access_token=ding-token"),
        department=centre,
        secret=DING_SECRET,
    )
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"WeCom", "DingTalk", "Webhook", "ID"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    if device == "phone":
        page.click(".nav-toggle")
    page.click(".user-menu summary")
    with page.expect_navigation():
        page.click("a[href='/accounts/']")
    section = page.locator("#reminders")
    assert section.locator("h2").inner_text() == visit.t("How reminders reach me")
    # Before: every way is on.
    for name in ("by_email", "by_wecom", "by_dingtalk"):
        assert section.locator(f"input[name={name}]").is_checked()
    section.locator("input[name=by_email]").uncheck()
    section.locator("input[name=by_wecom]").uncheck()
    section.locator("input[name=dingtalk_userid]").fill("clerk-001")
    section.scroll_into_view_if_needed()
    visit.check(f"account-reminders-{device}")
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert visit.t("Your reminders now reach you the way you chose.") in page.inner_text(
        ".messages"
    )
    section = page.locator("#reminders")
    assert not section.locator("input[name=by_email]").is_checked()
    assert not section.locator("input[name=by_wecom]").is_checked()
    assert section.locator("input[name=by_dingtalk]").is_checked()
    assert section.locator("input[name=dingtalk_userid]").input_value() == "clerk-001"

    log = reminders.send_reminder(reminder=reminder(clerk))
    [request] = receiver.requests
    assert request["path"] == "/robot/send"
    assert request["json"]["at"]["atUserIds"] == ["clerk-001"]
    log.refresh_from_db()
    assert log.mail_state == ReminderLog.MailState.DECLINED
    assert mail.outbox == []

    # A user id WeCom or DingTalk could not have issued: the field says why, nothing changes.
    visit.expected_errors.append("status of 400")  # the refused form answers 400
    section.locator("input[name=dingtalk_userid]").fill("clerk 001; <@all>")
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    error = page.locator("#reminders .field--error .field__error").inner_text()
    assert error == visit.t(
        "Only letters, digits and . _ @ - : copy the user id as the administration console "
        "shows it."
    )
    clerk.reminder_choice.refresh_from_db()
    assert clerk.reminder_choice.dingtalk_userid == "clerk-001"
