"""Web pages of the in-app inbox: the list behind the bell, mark one or all read; and the
account page's section where a user chooses how reminders reach them."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from assets.accounts.views import account_context
from config.pagination import ForgivingPagesMixin
from inventory.reminders import jobs
from inventory.reminders import notifications as services
from inventory.reminders.channels import save_reminder_choice
from inventory.reminders.forms import ReminderChoiceForm


class NotificationListView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
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


def reminder_choice_section(request) -> dict:
    """The account page's section (registered in `InventoryConfig.ready`): the user's choice,
    or the form they just sent with its errors."""
    form = getattr(request, "reminder_choice_form", None) or ReminderChoiceForm(user=request.user)
    return {"template": "inventory/account_reminders.html", "form": form}


class ReminderChoiceView(LoginRequiredMixin, View):
    """POST from the account page: how the user's reminders reach them. A bad user id is a 400
    with the account page and the field's error; nothing is saved."""

    def post(self, request):
        form = ReminderChoiceForm(request.POST, user=request.user)
        if not form.is_valid():
            request.reminder_choice_form = form
            return render(request, "assets/account.html", account_context(request), status=400)
        choice = form.instance
        save_reminder_choice(
            user=request.user,
            by_email=form.cleaned_data["by_email"],
            kinds=form.chosen_kinds(),
            wecom_userid=choice.wecom_userid,
            dingtalk_userid=choice.dingtalk_userid,
        )
        messages.success(request, _("Your reminders now reach you the way you chose."))
        return redirect(reverse("accounts:account") + "#reminders")
