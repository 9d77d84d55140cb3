from django.urls import path

from xiaobao.exams import views

urlpatterns = [
    path("", views.home, name="list"),
]
