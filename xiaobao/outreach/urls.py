from django.urls import path

from xiaobao.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/test/", views.test_send, name="test_send"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("complaints/<int:pk>/send/", views.send, name="send"),
    path("sendings/<int:pk>/resend/", views.resend, name="resend"),
]
