from django.urls import path, re_path

from xiaobao.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.rectification_list_view, name="list"),
    re_path(r"^new/?$", views.rectification_create, name="create"),
    path("<int:pk>/", views.rectification_detail_view, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.rectification_action, name="action"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
