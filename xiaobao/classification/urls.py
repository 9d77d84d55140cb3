from django.urls import path

from xiaobao.classification import views

app_name = "classification"

urlpatterns = [
    path("", views.home, name="home"),
    path("train/", views.train, name="train"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("models/<int:pk>/activate/", views.activate, name="activate"),
    path("similar/<int:pk>/", views.similar, name="similar"),
]
