"""Reminder channels beside e-mail: WeCom group robots, DingTalk robots and signed webhooks.

`send_reminder` (jobs.py) writes one `ChannelDelivery` per channel of the recipient (their own
and their department's) in the ledger's transaction and queues `deliver` through the outbox, so a
channel that is down never slows anything but its own task. `deliver_to_channel` locks the
delivery row, posts only while it is `pending`, and marks it `sent` in the same transaction (at
least once, narrowed to a crash between the channel's answer and the commit, as for e-mail). A
refused post records the attempt, the HTTP status and the channel's answer, and raises for the
task's retries with backoff; after the last one the delivery is `failed` and the admin shows why.

Posting is guarded against SSRF (SECURITY.md G): the host is resolved once, every address it
resolves to must be public or on `YIKA_WEBHOOK_ALLOWED_ADDRESSES`, the connection goes to that
vetted address (no second lookup a rebinding DNS could answer differently), redirects are not
followed (a 3xx is a failure), and connect and read time out after `YIKA_WEBHOOK_TIMEOUT` s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inventory.models import ChannelDelivery, ReminderChannel, ReminderChoice, ReminderLog
from inventory.reminders.outbox import enqueue_task

DELIVER = "inventory.deliver_reminder_to_channel"
MAX_ANSWER = 2000


class RefusedAddress(ValueError):
    """The webhook URL is not allowed (scheme, or an address that is not public)."""


class ChannelError(Exception):
    """The channel did not take the message; retried by the task."""


# --- where a post may go ------------------------------------------------------------------------


def _allowed_networks():
    return [
        ipaddress.ip_network(entry, strict=False)
        for entry in settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES
    ]


def _public(address) -> bool:
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def vetted_address(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for `url`, or RefusedAddress.

    Every address the host resolves to must be public, or inside an allowed network; the first
    is the one connected to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress(_("Only http:// and https:// URLs with a host name are accepted."))
    if parts.username or parts.password:
        raise RefusedAddress(_("A webhook URL may not carry a user name or password."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddress(
            _("The host %(host)s cannot be resolved: %(error)s")
            % {"host": parts.hostname, "error": exc}
        ) from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        addresses.append(address)
    allowed = _allowed_networks()
    for address in addresses:
        if not _public(address) and not any(address in network for network in allowed):
            raise RefusedAddress(
                _(
                    "%(host)s resolves to %(address)s, a private, loopback or link-local "
                    "address; only addresses listed in YIKA_WEBHOOK_ALLOWED_ADDRESSES may be "
                    "reached there."
                )
                % {"host": parts.hostname, "address": address}
            )
    return parts.scheme, parts.hostname, port, str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def post_json(url: str, payload: dict, *, headers: dict[str, str] | None = None) -> Answer:
    """POST `payload` as JSON to the vetted address of `url`; never follows a redirect."""
    scheme, host, port, address = vetted_address(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = json.dumps(payload, ensure_ascii=False).encode()
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, settings.YIKA_WEBHOOK_TIMEOUT)
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Yika-Reminders/1",
                **(headers or {}),
            },
        )
        response = connection.getresponse()
        text = response.read(64 * 1024).decode("utf-8", "replace")
        return Answer(response.status, text)
    finally:
        connection.close()


# --- the messages -------------------------------------------------------------------------------


def _absolute(link: str) -> str:
    return link if link.startswith(("http://", "https://")) else f"{settings.SITE_URL}{link}"


def message_of(log: ReminderLog) -> dict:
    notification = log.notification
    recipient = log.recipient
    return {
        "title": notification.title,
        "body": notification.body,
        "link": _absolute(notification.link) if notification.link else settings.SITE_URL,
        "recipient": recipient,
    }


def _text(message: dict) -> str:
    recipient = message["recipient"]
    return "\n".join(
        [
            f"{message['title']}",
            _("For: %(name)s (%(username)s)") % {"name": recipient, "username": recipient.username},
            "",
            message["body"],
            "",
            _("Open: %(link)s") % {"link": message["link"]},
        ]
    )


def _markdown(text: str) -> str:
    """Plain text inside a robot's markdown: no markup of ours or of the asset names runs."""
    for char in "\\`*_[]()#<>!|":
        text = text.replace(char, "\\" + char)
    return text


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's signed robot URL: `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
    "<ms>\\n<secret>" keyed with the secret>`."""
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Yika-Signature`: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` keyed with the
    channel's secret (the receiver recomputes it and checks the timestamp is recent)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _robot_failure(answer: Answer) -> str | None:
    """WeCom and DingTalk answer 200 with `errcode`; anything but 0 is a refusal."""
    try:
        data = json.loads(answer.body)
    except ValueError:
        return _("The channel's answer is not JSON.")
    if not isinstance(data, dict) or data.get("errcode") != 0:
        return _("The channel refused the message.")
    return None


def post(channel: ReminderChannel, log: ReminderLog, delivery_id: int) -> Answer:
    """Post one reminder to one channel; ChannelError (with the answer) when it is not taken."""
    message = message_of(log)
    choice = choice_of(log.recipient)
    with translation.override(log.recipient.language or settings.LANGUAGE_CODE):
        text = _text(message)
    if channel.kind == ReminderChannel.Kind.WECOM:
        payload = {
            "msgtype": "markdown",
            "markdown": {
                "content": f"**{_markdown(message['title'])}**\n"
                + _markdown(text.split("\n", 1)[1])
                + f"\n[{_markdown(message['link'])}]({message['link']})"
                # WeCom's markdown mentions a member by `<@userid>`.
                + (f"\n<@{choice.wecom_userid}>" if choice.wecom_userid else "")
            },
        }
        answer = post_json(channel.url, payload)
        problem = _robot_failure(answer) if answer.status == 200 else None
    elif channel.kind == ReminderChannel.Kind.DINGTALK:
        payload = {
            "msgtype": "markdown",
            "markdown": {
                "title": message["title"][:60],
                "text": f"### {_markdown(message['title'])}\n\n"
                + _markdown(text.split("\n", 1)[1]).replace("\n", "\n\n")
                + f"\n\n[{_markdown(message['link'])}]({message['link']})"
                # DingTalk mentions by `at.atUserIds`, shown where the text names `@userid`.
                + (f"\n\n@{choice.dingtalk_userid}" if choice.dingtalk_userid else ""),
            },
        }
        if choice.dingtalk_userid:
            payload["at"] = {"atUserIds": [choice.dingtalk_userid], "isAtAll": False}
        answer = post_json(dingtalk_signed_url(channel.url, channel.secret), payload)
        problem = _robot_failure(answer) if answer.status == 200 else None
    else:
        recipient = message["recipient"]
        payload = {
            "delivery": delivery_id,
            "kind": log.kind,
            "subject": log.subject,
            "period": log.period,
            "recipient": {
                "username": recipient.username,
                "name": str(recipient),
                "email": recipient.email,
            },
            "title": message["title"],
            "body": message["body"],
            "text": text,
            "link": message["link"],
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        answer = post_json(
            channel.url,
            payload,
            headers={
                "X-Yika-Timestamp": stamp,
                "X-Yika-Signature": webhook_signature(channel.secret, stamp, body),
                "X-Yika-Delivery": str(delivery_id),
            },
        )
        problem = None
    if not 200 <= answer.status < 300:
        problem = _("HTTP %(status)s from the channel.") % {"status": answer.status}
    if problem:
        raise ChannelError(answer, problem)
    return answer


# --- services -----------------------------------------------------------------------------------


def choice_of(user) -> ReminderChoice:
    """The user's reminder choice; unsaved with every way on when they never chose."""
    try:
        return user.reminder_choice
    except ReminderChoice.DoesNotExist:
        return ReminderChoice(user=user)


def configured_channels(recipient):
    """The active channels configured for a recipient: their own and their department's."""
    scope = Q(user=recipient)
    if recipient.department_id:
        scope |= Q(department_id=recipient.department_id)
    return ReminderChannel.objects.filter(scope, active=True).order_by("id")


def channels_for(recipient) -> list[ReminderChannel]:
    """The channels a recipient's reminders go to: the configured ones of the kinds they chose."""
    choice = choice_of(recipient)
    return [channel for channel in configured_channels(recipient) if choice.takes(channel.kind)]


def queue_deliveries(*, log: ReminderLog) -> list[ChannelDelivery]:
    """In the ledger row's transaction: the recipient's choice applied to it (no e-mail when
    they declined it: its queued task then finds nothing to send), and one delivery per chosen
    channel, each queued."""
    if log.mail_state == ReminderLog.MailState.PENDING and not choice_of(log.recipient).by_email:
        log.mail_state = ReminderLog.MailState.DECLINED
        log.save(update_fields=["mail_state"])
    deliveries = []
    for channel in channels_for(log.recipient):
        delivery = ChannelDelivery.objects.create(reminder=log, channel=channel)
        enqueue_task(task=DELIVER, kwargs={"delivery_id": delivery.pk})
        deliveries.append(delivery)
    return deliveries


def save_reminder_choice(
    *,
    user,
    by_email: bool,
    kinds: set[str],
    wecom_userid: str = "",
    dingtalk_userid: str = "",
) -> ReminderChoice:
    """The user's own choice of how they get reminders (`kinds`: ReminderChannel.Kind values).
    A kind not configured for them may be chosen too (it takes effect when one is); a user id
    that WeCom or DingTalk could not have issued is refused on its field, nothing saved."""
    with transaction.atomic():
        choice, _created = ReminderChoice.objects.select_for_update().get_or_create(user=user)
        choice.by_email = bool(by_email)
        for kind in ReminderChannel.Kind.values:
            setattr(choice, f"by_{kind}", kind in kinds)
        choice.wecom_userid = (wecom_userid or "").strip()
        choice.dingtalk_userid = (dingtalk_userid or "").strip()
        # The fields' validators word a bad user id; the database's constraint backs them.
        choice.full_clean(exclude=["user"], validate_constraints=False)
        choice.save()
    return choice


def deliver_to_channel(*, delivery_id: int) -> bool:
    """Post a delivery unless it was posted already; True when this call posted it. A refusal
    records the attempt and the channel's answer, then re-raises ChannelError for the retry."""
    error: Exception | None = None
    with transaction.atomic():
        delivery = (
            ChannelDelivery.objects.select_for_update(of=("self",))
            .select_related("channel", "reminder__recipient", "reminder__notification")
            .get(pk=delivery_id)
        )
        if delivery.state != ChannelDelivery.State.PENDING:
            return False
        delivery.attempts += 1
        try:
            answer = post(delivery.channel, delivery.reminder, delivery.pk)
        except ChannelError as exc:
            answer, problem = exc.args
            delivery.last_status = answer.status
            delivery.last_answer = f"{problem} {answer.body}".strip()[:MAX_ANSWER]
            error = ChannelError(delivery.last_answer)
        except (OSError, RefusedAddress, http.client.HTTPException) as exc:
            delivery.last_status = None
            delivery.last_answer = (str(exc) or exc.__class__.__name__)[:MAX_ANSWER]
            error = ChannelError(delivery.last_answer)
        else:
            delivery.state = ChannelDelivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.last_status = answer.status
            delivery.last_answer = answer.body[:MAX_ANSWER]
        delivery.save(update_fields=["attempts", "state", "sent_at", "last_status", "last_answer"])
    if error is not None:
        raise error
    return True


def mark_delivery_failed(*, delivery_id: int) -> None:
    """After the last retry: the delivery stays unsent, `failed`, with the channel's answer."""
    ChannelDelivery.objects.filter(pk=delivery_id, state=ChannelDelivery.State.PENDING).update(
        state=ChannelDelivery.State.FAILED
    )


@transaction.atomic
def retry_deliveries(*, actor, deliveries) -> int:
    """Admins: put failed deliveries back to pending and queue them again (nothing was lost)."""
    from assets import permissions

    permissions.require_admin(actor)
    ids = list(
        ChannelDelivery.objects.select_for_update()
        .filter(pk__in=[d.pk for d in deliveries], state=ChannelDelivery.State.FAILED)
        .values_list("pk", flat=True)
    )
    ChannelDelivery.objects.filter(pk__in=ids).update(state=ChannelDelivery.State.PENDING)
    for pk in ids:
        enqueue_task(task=DELIVER, kwargs={"delivery_id": pk})
    return len(ids)


def check_channel_url(*, url: str, request=None, actor=None) -> None:
    """A ValidationError on `url` when it may not be posted to; the refusal is logged."""
    try:
        vetted_address(url)
    except RefusedAddress as exc:
        from assets.security.services import Kind, record_security_event

        record_security_event(
            kind=Kind.ADMIN_CHANGE,
            user=actor,
            request=request,
            detail={"model": "inventory.reminderchannel", "refused_url": url[:500]},
        )
        raise ValidationError({"url": str(exc)}) from None


def save_channel(*, actor, channel: ReminderChannel, request=None) -> ReminderChannel:
    """Create or change a channel (admins): the URL is checked before anything is saved, and a
    refusal is logged outside the saving transaction (so it stays when nothing is saved)."""
    from assets import permissions

    permissions.require_admin(actor)
    check_channel_url(url=channel.url, request=request, actor=actor)
    with transaction.atomic():
        channel.full_clean()
        channel.save()
    return channel
