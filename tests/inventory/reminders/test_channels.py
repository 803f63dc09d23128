"""Reminder channels beside e-mail (issue 20, "Reminders where people read"): WeCom and DingTalk
robots and a signed webhook, delivered to a REAL HTTP server on 127.0.0.1 that checks each
channel's payload and signature; exactly once per recipient, subject and period; a channel that
is down loses nothing; no SSRF through the channel settings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from assets.models import SecurityEvent
from inventory.models import ChannelDelivery, Notification, ReminderChannel, ReminderKind
from inventory.reminders import channels
from inventory.reminders import jobs as reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DING_SECRET = "SEC0123456789abcdef"
HOOK_SECRET = "hook-secret-42"


class Receiver:
    """A real HTTP server on 127.0.0.1 speaking like WeCom, DingTalk and a webhook receiver:
    it checks every request's format and signature and answers as the real service would."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                record = {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "raw": raw,
                    "json": json.loads(raw),
                }
                receiver.requests.append(record)
                status, answer = receiver.answer(record)
                body = json.dumps(answer).encode()
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, record):
        if self.mode == "redirect":
            return 302, {}
        if self.mode == "refuse":
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if record["path"] == "/cgi-bin/webhook/send":  # WeCom group robot
            data = record["json"]
            ok = (
                record["query"].get("key") == ["wecom-key"]
                and data.get("msgtype") == "markdown"
                and isinstance(data["markdown"].get("content"), str)
            )
            return 200, {"errcode": 0 if ok else 40008, "errmsg": "ok" if ok else "bad"}
        if record["path"] == "/robot/send":  # DingTalk robot, signed URL
            query = record["query"]
            timestamp, sign = query["timestamp"][0], query["sign"][0]
            expected = base64.b64encode(
                hmac.new(
                    DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            fresh = abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
            data = record["json"]
            ok = (
                query.get("access_token") == ["ding-token"]
                and sign == expected
                and fresh
                and data.get("msgtype") == "markdown"
                and {"title", "text"} <= set(data["markdown"])
            )
            return 200, {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}
        if record["path"] == "/hook":  # generic signed webhook
            stamp = record["headers"].get("X-Yika-Timestamp", "")
            expected = (
                "sha256="
                + hmac.new(
                    HOOK_SECRET.encode(), stamp.encode() + b"." + record["raw"], hashlib.sha256
                ).hexdigest()
            )
            if record["headers"].get("X-Yika-Signature") != expected:
                return 401, {"error": "bad signature"}
            return 200, {"received": True}
        return 404, {"error": "no such path"}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.SITE_URL = "https://yika.example.gov.cn"
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def person(centre):
    return UserFactory(username="zhang", department=centre, roles=["receiver"], display_name="张三")


def channel(kind, url, *, department=None, user=None, secret=""):
    return ReminderChannel.objects.create(
        name=f"{kind} 群", kind=kind, url=url, department=department, user=user, secret=secret
    )


def reminder(recipient, *, subject="handover:YJ-2026-001", period="2026-W10"):
    return reminders.Reminder(
        kind=ReminderKind.HANDOVER_UNDECIDED,
        recipient=recipient,
        subject=subject,
        period=period,
        link="/handovers/YJ-2026-001/review/",
        facts={
            "number": "YJ-2026-001",
            "project": "政务云 [一期] *重点*",
            "builder": "市大数据中心",
            "days": 9,
            "pending": 3,
        },
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(r):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_reminder(reminder=r)

    return send


def test_wecom_robot_gets_markdown_with_the_link_once(receiver, person, centre, send):
    channel("wecom", receiver.url("/cgi-bin/webhook/send?key=wecom-key"), department=centre)
    assert send(reminder(person)) is not None
    assert send(reminder(person)) is None  # same recipient, subject and period: nothing more
    [request] = receiver.requests
    content = request["json"]["markdown"]["content"]
    assert "YJ-2026-001" in content and "张三" in content
    assert "(https://yika.example.gov.cn/handovers/YJ-2026-001/review/)" in content
    assert "\\[一期\\] \\*重点\\*" in content  # asset text cannot become markup
    delivery = ChannelDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 1, 200)


def test_dingtalk_robot_gets_a_signed_url(receiver, person, centre, send):
    channel(
        "dingtalk",
        receiver.url("/robot/send?access_token=ding-token"),
        department=centre,
        secret=DING_SECRET,
    )
    send(reminder(person))
    [request] = receiver.requests
    assert json.loads(ChannelDelivery.objects.get().last_answer)["errcode"] == 0
    text = request["json"]["markdown"]["text"]
    assert "https://yika.example.gov.cn/handovers/YJ-2026-001/review/" in text
    assert ChannelDelivery.objects.get().state == "sent"


def test_dingtalk_sign_matches_the_documented_example():
    # DingTalk's docs: sign = urlencode(base64(HmacSHA256(key=secret, "<timestamp>\n<secret>")))
    url = channels.dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "SECx", timestamp_ms=1577262236757
    )
    digest = hmac.new(b"SECx", b"1577262236757\nSECx", hashlib.sha256).digest()
    from urllib.parse import quote_plus

    assert url.endswith(f"&timestamp=1577262236757&sign={quote_plus(base64.b64encode(digest))}")


def test_generic_webhook_is_signed_and_carries_the_facts(receiver, person, send):
    channel("webhook", receiver.url("/hook"), user=person, secret=HOOK_SECRET)
    send(reminder(person))
    [request] = receiver.requests
    data = request["json"]
    assert data["recipient"]["username"] == "zhang"
    assert data["link"] == "https://yika.example.gov.cn/handovers/YJ-2026-001/review/"
    assert (data["kind"], data["subject"], data["period"]) == (
        "handover_undecided",
        "handover:YJ-2026-001",
        "2026-W10",
    )
    delivery = ChannelDelivery.objects.get()
    assert request["headers"]["X-Yika-Delivery"] == str(delivery.pk)
    assert delivery.state == "sent"


def test_a_wrong_secret_is_a_failure_with_the_channels_answer(receiver, person, send):
    channel("webhook", receiver.url("/hook"), user=person, secret="not-the-receivers")
    send(reminder(person))
    delivery = ChannelDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == 6  # first try and five retries
    assert delivery.last_status == 401 and "bad signature" in delivery.last_answer
    assert Notification.objects.filter(recipient=person).count() == 1  # the inbox has it


def test_department_and_user_channels_reach_only_their_people(
    receiver, person, centre, other_bureau, send
):
    channel("webhook", receiver.url("/hook"), department=centre, secret=HOOK_SECRET)
    channel("webhook", receiver.url("/hook"), user=person, secret=HOOK_SECRET)
    stranger = UserFactory(username="li", department=other_bureau, roles=["receiver"])
    send(reminder(person))
    send(reminder(stranger))
    assert [r["json"]["recipient"]["username"] for r in receiver.requests] == ["zhang", "zhang"]


def test_redirects_are_not_followed(receiver, person, send):
    receiver.mode = "redirect"
    channel("webhook", receiver.url("/hook"), user=person, secret=HOOK_SECRET)
    send(reminder(person))
    assert {r["path"] for r in receiver.requests} == {"/hook"}  # never /elsewhere
    delivery = ChannelDelivery.objects.get()
    assert delivery.state == "failed" and delivery.last_status == 302


def test_robot_refusal_is_shown_to_the_admin(receiver, person, centre, send, bureau):
    receiver.mode = "refuse"
    channel("wecom", receiver.url("/cgi-bin/webhook/send?key=wecom-key"), department=centre)
    send(reminder(person))
    root = UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(root)
    page = browser.get("/admin/inventory/channeldelivery/")
    assert page.status_code == 200
    assert "invalid webhook url" in page.content.decode()


def test_a_channel_that_is_down_loses_nothing_and_blocks_nobody(
    receiver, person, send, bureau, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = channel(
        "webhook", f"http://127.0.0.1:{closed_port}/hook", user=person, secret=HOOK_SECRET
    )
    started = time.monotonic()
    log = send(reminder(person))
    assert time.monotonic() - started < 2
    assert Notification.objects.filter(reminder=log).exists()
    delivery = ChannelDelivery.objects.get()
    assert delivery.state == "failed" and "refused" in delivery.last_answer.lower()
    # The channel comes back (here: at its new address); the admin sends it again.
    ReminderChannel.objects.filter(pk=down.pk).update(url=receiver.url("/hook"))
    admin = UserFactory(username="root", department=bureau, roles=["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert channels.retry_deliveries(actor=admin, deliveries=[delivery]) == 1
    delivery.refresh_from_db()
    assert delivery.state == "sent" and len(receiver.requests) == 1


def test_a_slow_channel_times_out(settings):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.YIKA_WEBHOOK_TIMEOUT = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        started = time.monotonic()
        with pytest.raises(OSError):
            channels.post_json(f"http://127.0.0.1:{listener.getsockname()[1]}/hook", {})
        assert time.monotonic() - started < 3
    finally:
        listener.close()


# --- SSRF: the channel settings reach no private address unless allowed -----------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
        "file:///etc/passwd",
    ],
)
def test_private_addresses_are_refused_logged_and_nothing_saved(url, admin_user, centre):
    new = ReminderChannel(name="x", kind="wecom", url=url, department=centre)
    with pytest.raises(ValidationError) as refused:
        channels.save_channel(actor=admin_user, channel=new)
    assert "url" in refused.value.message_dict
    assert not ReminderChannel.objects.exists()
    if url.startswith("http://") and "@" not in url:
        assert SecurityEvent.objects.filter(
            kind="admin_change", detail__refused_url=url, user=admin_user
        ).exists()


def test_only_the_configured_private_address_is_allowed(settings, admin_user, centre):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    ok = ReminderChannel(name="本机", kind="wecom", url="http://127.0.0.1:9/x", department=centre)
    channels.save_channel(actor=admin_user, channel=ok)
    other = ReminderChannel(name="内网", kind="wecom", url="http://10.1.1.1/x", department=centre)
    with pytest.raises(ValidationError):
        channels.save_channel(actor=admin_user, channel=other)
    assert list(ReminderChannel.objects.values_list("name", flat=True)) == ["本机"]


def test_an_address_refused_at_delivery_time_is_never_contacted(receiver, person, send, settings):
    channel("webhook", receiver.url("/hook"), user=person, secret=HOOK_SECRET)
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = []  # e.g. the name now resolves somewhere private
    send(reminder(person))
    assert receiver.requests == []
    delivery = ChannelDelivery.objects.get()
    assert delivery.state == "failed" and "127.0.0.1" in delivery.last_answer


def test_admin_form_refuses_a_private_url(bureau, centre):
    root = UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(root)
    response = browser.post(
        "/admin/inventory/reminderchannel/add/",
        {
            "name": "内网",
            "kind": "wecom",
            "department": centre.pk,
            "url": "http://169.254.169.254/x",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not ReminderChannel.objects.exists()


def test_auditors_do_not_see_channel_secrets(receiver, person, auditor, bureau):
    hook = channel("webhook", receiver.url("/hook"), user=person, secret=HOOK_SECRET)
    from django.contrib.auth.models import Group

    auditor.is_staff = True
    auditor.save()
    browser = Client()
    browser.force_login(auditor)
    page = browser.get(f"/admin/inventory/reminderchannel/{hook.pk}/change/")
    assert page.status_code == 200
    assert HOOK_SECRET not in page.content.decode()
    assert Group.objects.filter(name="auditor").exists()
