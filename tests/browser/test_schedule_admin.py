"""The reminder schedule in the admin obeys the site's CSP: no console CSP error, and the crontab
is shown in words by the page's own script file (issue 14.18, schedule part)."""

import pytest

from tests.browser.support import DESK, PASSWORD, PHONE, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def csp_context(chromium, base_url, language, **options):
    """Unlike `new_context`, the policy is not bypassed: a blocked script is a console error."""
    context = chromium.new_context(locale=language, **options)
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    context.set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_schedule_task_form_has_no_csp_error(language, device, base_url, chromium, bureau):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from tests.factories import UserFactory

    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    morning = CrontabSchedule.objects.create(minute="0", hour="8", timezone="Asia/Shanghai")
    evening = CrontabSchedule.objects.create(minute="30", hour="17", timezone="Asia/Shanghai")
    task = PeriodicTask.objects.create(
        name="盘点提醒", task="inventory.run_reminders", crontab=morning, enabled=True
    )
    context = csp_context(chromium, base_url, language, **(PHONE if device == "phone" else DESK))
    try:
        visit = Visit(context, language=language)
        page = visit.page
        violations = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        visit.goto(f"{base_url}/admin/login/?next=/admin/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")

        visit.goto(f"{base_url}/admin/django_celery_beat/periodictask/")
        assert task.name in page.inner_text("#result_list")
        visit.goto(f"{base_url}/admin/django_celery_beat/periodictask/{task.pk}/change/")
        page.wait_for_load_state("load")
        assert violations == []
        words = page.locator(".crontab-in-words")
        words.wait_for(state="attached")
        assert words.inner_text().startswith(visit.t("In words:"))
        first = words.inner_text()
        assert "08:00" in first
        page.select_option("#id_crontab", str(evening.pk))
        assert "05:30 PM" in words.inner_text()
        page.locator(".field-crontab").scroll_into_view_if_needed()
        visit.screenshot(f"admin-schedule-task-{device}")
        visit.goto(f"{base_url}/admin/django_celery_beat/periodictask/add/")
        page.wait_for_load_state("load")
        assert violations == []
        assert visit.errors == []
    finally:
        context.close()
