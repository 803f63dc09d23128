from inventory.reminders.notifications import unread_count


def notifications(request):
    """The unread count beside the bell in every page's header (one COUNT query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"yika_unread_count": unread_count(user=user)}
