from django.urls import path

from xiaobao.exams import views

urlpatterns = [
    path("my/", views.home, name="my"),
]
