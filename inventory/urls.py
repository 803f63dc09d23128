from django.urls import include, path

from inventory import attachments, views

app_name = "inventory"

urlpatterns = [
    path("", include("inventory.reminders.urls")),
    path("stocktakes/", views.CampaignListView.as_view(), name="campaign-list"),
    path("stocktakes/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("stocktakes/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path(
        "stocktakes/<int:pk>/<str:verb>/",
        views.CampaignActionView.as_view(),
        name="campaign-action",
    ),
    path("stocktakes/<int:pk>/scan", views.ScanView.as_view(), name="campaign-scan"),
    path("stocktakes/<int:pk>/lines", views.LineListView.as_view(), name="line-list"),
    path(
        "stocktakes/<int:pk>/lines/<int:line_id>/photo",
        views.LinePhotoView.as_view(),
        name="line-photo",
    ),
    path(
        "stocktakes/<int:pk>/differences",
        views.DifferenceListView.as_view(),
        name="difference-list",
    ),
    path(
        "stocktakes/<int:pk>/differences/bulk",
        views.DifferenceBulkView.as_view(),
        name="difference-bulk",
    ),
    path(
        "stocktakes/<int:pk>/differences/case",
        views.DifferenceCaseView.as_view(),
        name="difference-case",
    ),
    path(
        "stocktakes/<int:pk>/differences/<int:difference_id>",
        views.DifferenceDetailView.as_view(),
        name="difference-detail",
    ),
    # attachments (evidence)
    path(
        "stocktakes/<int:pk>/attachments.zip",
        attachments.CampaignAttachmentsZipView.as_view(),
        name="campaign-attachments-zip",
    ),
]
