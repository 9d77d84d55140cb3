from django.urls import path

from xiaobao.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("export/", views.dashboard_export, name="export"),
]
