"""Web pages of handovers; included from `assets.urls`, so names are `assets:handover-…`."""

from django.urls import path

from assets.handovers import views

urlpatterns = [
    path("handovers/", views.HandoverListView.as_view(), name="handover-list"),
    path("handovers/inbox/", views.HandoverInboxView.as_view(), name="handover-inbox"),
    path("handovers/new/", views.HandoverCreateView.as_view(), name="handover-create"),
    path("handovers/<str:number>/", views.HandoverDetailView.as_view(), name="handover-detail"),
    path(
        "handovers/<str:number>/submit/",
        views.HandoverSubmitView.as_view(),
        name="handover-submit",
    ),
    path(
        "handovers/<str:number>/withdraw/",
        views.HandoverWithdrawView.as_view(),
        name="handover-withdraw",
    ),
    path(
        "handovers/<str:number>/archives/",
        views.HandoverArchiveView.as_view(),
        name="handover-archive-add",
    ),
    path(
        "handovers/<str:number>/review/",
        views.HandoverReviewView.as_view(),
        name="handover-review",
    ),
    path(
        "handovers/<str:number>/certificate.pdf",
        views.HandoverCertificateView.as_view(),
        name="handover-certificate",
    ),
    path("projects/overdue/", views.OverdueProjectsView.as_view(), name="project-overdue"),
]
