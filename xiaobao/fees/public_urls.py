"""Public pages (no login, under /public/): the fees in force and their past versions."""

from django.urls import path

from xiaobao.fees import public_views

app_name = "fees_public"

urlpatterns = [
    path("", public_views.public_list, name="list"),
    path("history/", public_views.public_history_view, name="history"),
    path("export.xlsx", public_views.public_export, name="export"),
]
