from django.urls import path

from xiaobao.training import views

urlpatterns = [
    path("", views.home, name="home"),
]
