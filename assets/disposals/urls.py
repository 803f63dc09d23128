"""Web pages of disposal cases; included from `assets.urls`, so names are `assets:disposal-…`."""

from django.urls import path

from assets.disposals import views

urlpatterns = [
    path("disposals/", views.DisposalListView.as_view(), name="disposal-list"),
    path("disposals/inbox/", views.DisposalInboxView.as_view(), name="disposal-inbox"),
    path("disposals/new/", views.DisposalCreateView.as_view(), name="disposal-create"),
    path("disposals/<str:number>/", views.DisposalDetailView.as_view(), name="disposal-detail"),
    path("disposals/<str:number>/edit/", views.DisposalEditView.as_view(), name="disposal-edit"),
    path(
        "disposals/<str:number>/delete/",
        views.DisposalDeleteView.as_view(),
        name="disposal-delete",
    ),
    path(
        "disposals/<str:number>/submit/", views.DisposalSubmitView.as_view(), name="disposal-submit"
    ),
    path(
        "disposals/<str:number>/approve/",
        views.DisposalApproveView.as_view(),
        name="disposal-approve",
    ),
    path(
        "disposals/<str:number>/reject/", views.DisposalRejectView.as_view(), name="disposal-reject"
    ),
    path(
        "disposals/<str:number>/execute/",
        views.DisposalExecuteView.as_view(),
        name="disposal-execute",
    ),
    path(
        "disposals/<str:number>/application.pdf",
        views.DisposalApplicationView.as_view(),
        name="disposal-application",
    ),
]
