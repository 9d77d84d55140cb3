"""Public pages (no login, under /public/): the fees in force and their past versions."""

from django.urls import path  # noqa: F401

app_name = "fees_public"

urlpatterns: list = []
