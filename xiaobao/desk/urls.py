from django.urls import path

from xiaobao.desk import views

app_name = "desk"

urlpatterns = [
    path("bulk/", views.bulk_create, name="bulk_create"),
    path("bulk/<int:pk>/", views.bulk_detail, name="bulk_detail"),
    path("bulk/<int:pk>/status/", views.bulk_status, name="bulk_status"),
    path("views/", views.views_page, name="views"),
    path("views/new/", views.view_create, name="view_create"),
    path("views/<int:pk>/", views.view_edit, name="view_edit"),
    path("views/<int:pk>/delete/", views.view_remove, name="view_delete"),
]
