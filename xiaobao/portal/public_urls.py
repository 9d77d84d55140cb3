"""The consumer's pages (no login, under /public/complaints/)."""

from django.urls import path

from xiaobao.portal import public_views

app_name = "portal_public"

urlpatterns = [
    path("new/", public_views.new, name="new"),
    path("new/done/", public_views.done, name="done"),
    path("status/", public_views.status, name="status"),
    path("status/result/", public_views.result, name="result"),
    path("status/review/", public_views.review, name="review"),
    path("status/rate/", public_views.rate, name="rate"),
]
