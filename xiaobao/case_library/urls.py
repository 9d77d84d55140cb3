from django.urls import path  # noqa: F401

app_name = "case_library"

urlpatterns: list = []
