from django.urls import path  # noqa: F401

app_name = "webhooks"

urlpatterns: list = []
