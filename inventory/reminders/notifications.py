"""State changes of the in-app inbox: marking notifications read. Only the recipient may."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from inventory.models import Notification


def notifications_of(*, user) -> QuerySet:
    """The user's inbox, newest first: nobody reads another person's notifications."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return notifications_of(user=user).filter(read_at__isnull=True).count()


def mark_notification_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's notifications read (again is harmless: the first time stays)."""
    with transaction.atomic():
        locked = notifications_of(user=user).select_for_update().get(pk=notification.pk)
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
    return locked


def mark_all_notifications_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    with transaction.atomic():
        return (
            notifications_of(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
        )
