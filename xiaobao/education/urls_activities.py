"""URLs: activities (report, list, export, one activity, its steps and photos)."""

from django.urls import path

from xiaobao.education import views

urlpatterns: list = [
    path("activities/", views.activity_list_view, name="activities"),
    path("activities/export.xlsx", views.activity_export, name="activities_export"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail_view, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/actions/<slug:action>/", views.activity_action, name="activity_action"),
    path("activities/<int:pk>/photos/", views.photo_upload, name="activity_photo_upload"),
    path("activities/<int:pk>/photos/<int:photo_id>/", views.photo_view, name="activity_photo"),
]
