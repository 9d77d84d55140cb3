from django.urls import path

from xiaobao.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_edit, name="settings"),
]
