from django.urls import path  # noqa: F401

app_name = "classification"

urlpatterns: list = []
