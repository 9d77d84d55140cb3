from django.urls import path, re_path

from xiaobao.fees import views

app_name = "fees"

urlpatterns = [
    path("", views.fee_list_view, name="list"),
    path("export.xlsx", views.fee_export, name="export"),
    re_path(r"^new/?$", views.fee_create, name="create"),
    path("<int:pk>/", views.fee_detail_view, name="detail"),
    path("<int:pk>/change/", views.fee_change, name="change"),
    path("<int:pk>/changes/<int:version_id>/submit/", views.fee_submit, name="submit"),
    path("<int:pk>/changes/<int:version_id>/publish/", views.fee_publish, name="publish"),
    path("<int:pk>/changes/<int:version_id>/discard/", views.fee_discard, name="discard"),
]
