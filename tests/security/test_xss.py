"""Stored XSS corpus (SECURITY.md test 4): hostile text in every free-text field — card names,
models, brands, notes, custodians, retire and rejection reasons, location, department, campaign
and project names, handover notes — then every page, JSON answer, e-mail and PDF that shows it.
Pass: escaped (HTML) or literal (JSON, PDF text) everywhere, never markup, never evaluated."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from assets.models import Department
from inventory.reminders import jobs as reminders
from inventory.reminders.models import Notification
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "<font color=\"[[[getattr(pow, Word('__globals__'))]]]\">",
]
# Markup that must never reach a page raw.
RAW_MARKUP = ["<script>alert(1)", "<img src=x onerror", "<font color="]
SCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def hostile_world(payload, request):
    fixture = request.getfixturevalue
    # Department names are reference data an administrator types.
    for code in ("BDC", "HEALTH"):
        fixture("centre" if code == "BDC" else "other_bureau")
        department = Department.objects.get(code=code)
        department.name = f"{payload} {department.name}"
        department.save(update_fields=["name"])
    return build_world(
        centre=fixture("centre"),
        other_bureau=fixture("other_bureau"),
        clerk=fixture("clerk"),
        other_clerk=fixture("other_clerk"),
        receiver=fixture("receiver"),
        admin_user=fixture("admin_user"),
        text=payload,
    )


def pages(world):
    """(user, path) for every page that shows the world's text."""
    a, b, handover = world.a, world.b, world.handover
    clerk, admin, receiver = a.clerk, world.admin, world.receiver
    host, component = a.host, a.component
    campaign = a.campaign.pk
    notification = Notification.objects.filter(recipient=clerk).first()
    paths = [
        (clerk, "/"),
        (clerk, f"/?q={world.text}"),
        (clerk, f"/assets/{host.tag}/"),
        (clerk, f"/assets/{component.tag}/"),
        (clerk, f"/assets/{a.retired.tag}/"),
        (clerk, f"/assets/{host.tag}/edit/"),
        (clerk, f"/assets/{host.tag}/nest/"),
        (clerk, f"/assets/{host.tag}/move/"),
        (clerk, f"/assets/{host.tag}/status/"),
        (clerk, f"/assets/{host.tag}/retire/"),
        (clerk, "/assets/new/"),
        (None, f"/a/{host.tag}"),
        (clerk, f"/a/{host.tag}"),
        (clerk, "/labels/"),
        (clerk, "/labels/batches/"),
        (clerk, f"/labels/batches/{a.batch.pk}/"),
        (clerk, "/handovers/"),
        (clerk, f"/handovers/{handover.number}/"),
        (receiver, "/handovers/inbox/"),
        (receiver, f"/handovers/{handover.number}/"),
        (clerk, "/projects/overdue/"),
        (clerk, "/stocktakes/"),
        (clerk, f"/stocktakes/{campaign}/"),
        (clerk, f"/stocktakes/{campaign}/scan"),
        (clerk, f"/stocktakes/{campaign}/lines"),
        (clerk, f"/stocktakes/{campaign}/differences"),
        (clerk, "/notifications/"),
        (clerk, "/imports/"),
        (admin, "/"),
        (admin, f"/assets/{b.host.tag}/"),
        (admin, "/admin/assets/asset/"),
        (admin, f"/admin/assets/asset/{host.pk}/change/"),
        (admin, "/admin/assets/location/"),
        (admin, "/admin/assets/department/"),
        (admin, "/admin/assets/assetevent/"),
    ]
    assert notification is not None
    return paths


def json_answers(world):
    a, handover = world.a, world.handover
    campaign = a.campaign.pk
    return [
        (a.clerk, "/api/v1/assets/"),
        (a.clerk, f"/api/v1/assets/?q={world.text}"),
        (a.clerk, f"/api/v1/assets/{a.host.tag}/"),
        (a.clerk, f"/api/v1/assets/{a.host.tag}/components/"),
        (a.clerk, f"/api/v1/assets/{a.host.tag}/events/"),
        (a.clerk, f"/api/v1/assets/{a.retired.tag}/events/"),
        (a.clerk, "/api/v1/locations/"),
        (a.clerk, "/api/v1/departments/"),
        (a.clerk, "/api/v1/handovers/"),
        (a.clerk, f"/api/v1/handovers/{handover.number}/"),
        (a.clerk, "/api/v1/projects/"),
        (a.clerk, "/api/v1/stocktakes/"),
        (a.clerk, f"/api/v1/stocktakes/{campaign}/"),
        (a.clerk, f"/api/v1/stocktakes/{campaign}/lines/"),
        (a.clerk, f"/api/v1/stocktakes/{campaign}/report/"),
        (a.clerk, "/api/v1/notifications/"),
        (a.clerk, "/api/v1/labels/batches/"),
    ]


def client_for(user):
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


def assert_inert_html(html, where):
    for markup in RAW_MARKUP:
        assert markup not in html, f"{where}: raw {markup!r}"
    assert not SCRIPT_URL.search(html), f"{where}: javascript: URL in an attribute"


def remind_counters(world, capture):
    campaign = world.a.campaign
    with capture(execute=True):
        reminders.run_job(job="stocktake", today=campaign.due_on - timedelta(days=1))


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img", "js-url", "ssti", "font"])
def test_hostile_text_is_inert_on_every_page_answer_mail_and_pdf(
    payload, request, django_capture_on_commit_callbacks
):
    world = hostile_world(payload, request)
    remind_counters(world, django_capture_on_commit_callbacks)

    shown = 0
    escaped = escape(payload)
    for user, path in pages(world):
        response = client_for(user).get(path, follow=True)
        where = f"{getattr(user, 'username', 'anonymous')} GET {path}"
        assert response.status_code == 200, f"{where}: {response.status_code}"
        html = response.content.decode()
        assert_inert_html(html, where)
        shown += escaped in html
        assert "Content-Security-Policy" in response.headers, where
    assert shown >= len(pages(world)) // 2, "the payload is shown, escaped, on most pages"
    card = client_for(world.a.clerk).get(f"/assets/{world.a.host.tag}/").content.decode()
    assert escaped in card

    for user, path in json_answers(world):
        response = client_for(user).get(path, HTTP_ACCEPT="application/json")
        where = f"{user.username} GET {path}"
        assert response.status_code == 200, f"{where}: {response.status_code}"
        assert response["Content-Type"].startswith("application/json"), where
        assert response["X-Content-Type-Options"] == "nosniff", where
    detail = client_for(world.a.clerk).get(f"/api/v1/assets/{world.a.host.tag}/").json()
    assert detail["name"].startswith(payload) and detail["custodian"].startswith(payload)

    sent = [m for m in mail.outbox if world.a.clerk.email in m.to]
    assert sent, "the counter got a reminder mail"
    for message in sent:
        assert payload in message.subject + message.body  # plain text: literal
        (html, _mime) = message.alternatives[0]
        assert_inert_html(html, "reminder mail")

    pdfs = {
        "label batch": f"/api/v1/labels/batches/{world.a.batch.pk}/pdf/",
        "certificate": f"/api/v1/handovers/{world.handover.number}/certificate.pdf",
        "stocktake report": f"/api/v1/stocktakes/{world.a.campaign.pk}/report.pdf/",
    }
    for name, path in pdfs.items():
        user = world.receiver if name == "certificate" else world.a.clerk
        response = client_for(user).get(path)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        compact = re.sub(r"\s+", "", text)
        # Literal: the text of the payload is printed, not swallowed as markup or evaluated.
        assert re.sub(r"\s+", "", payload)[:12] in compact, f"{name}: payload not printed literally"


MARKUP_BYPASSES = re.compile(r"\|\s*safe\b|mark_safe\(|\{%\s*autoescape\s+off|SafeString\(|safeseq")


def test_no_template_or_view_turns_escaping_off():
    offenders = []
    for app in ("assets", "inventory", "labels", "config"):
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in {".html", ".txt", ".py", ".xml"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
                if MARKUP_BYPASSES.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
