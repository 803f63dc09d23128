"""Web pages of the in-app inbox: the list behind the bell, mark one or all read."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from inventory.reminders import jobs
from inventory.reminders import notifications as services


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "inventory/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        notifications = services.notifications_of(user=self.request.user)
        if self.request.GET.get("unread") == "1":
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["only_unread"] = self.request.GET.get("unread") == "1"
        context["querystring_base"] = "unread=1&" if context["only_unread"] else ""
        for notification in context["notifications"]:
            notification.shown_title, notification.shown_body = jobs.shown_text(notification)
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification read, then go to its link (`open`) or back to the inbox."""

    def post(self, request, pk: int):
        notification = services.notifications_of(user=request.user).filter(pk=pk).first()
        if notification is None:
            raise Http404
        services.mark_notification_read(notification=notification, user=request.user)
        link = notification.link
        if request.POST.get("open") and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(link)
        return redirect("inventory:notification-list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        marked = services.mark_all_notifications_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked read.",
                "%(count)s notifications marked read.",
                marked,
            )
            % {"count": marked}
            if marked
            else _("Nothing was unread."),
        )
        return redirect("inventory:notification-list")
