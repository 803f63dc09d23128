"""Inbox pages and the reminder choice; included from `inventory.urls`, so names are
`inventory:notification-…`."""

from django.urls import path

from inventory.reminders import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/choice/",
        views.ReminderChoiceView.as_view(),
        name="reminder-choice",
    ),
]
