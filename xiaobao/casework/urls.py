from django.urls import path

from xiaobao.casework import views

app_name = "casework"

urlpatterns = [
    path("", views.notifications_view, name="notifications"),
]
