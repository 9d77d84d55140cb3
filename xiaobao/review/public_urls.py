"""Public pages (no login, under /public/): checking an approval number or QR code."""

from django.urls import path  # noqa: F401

app_name = "review_public"

urlpatterns: list = []
