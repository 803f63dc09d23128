"""Web pages of evidence; included from `assets.urls`, so names are `assets:attachment-…`."""

from django.urls import path

from assets.attachments import views

urlpatterns = [
    path("attachments/new/", views.AttachmentUploadView.as_view(), name="attachment-upload"),
    path("attachments/<int:pk>/file", views.AttachmentFileView.as_view(), name="attachment-file"),
    path(
        "attachments/<int:pk>/preview",
        views.AttachmentFileView.as_view(inline=True),
        name="attachment-preview",
    ),
    path(
        "attachments/<int:pk>/withdraw/",
        views.AttachmentWithdrawView.as_view(),
        name="attachment-withdraw",
    ),
    path(
        "handovers/<str:number>/attachments.zip",
        views.HandoverAttachmentsZipView.as_view(),
        name="handover-attachments-zip",
    ),
]
