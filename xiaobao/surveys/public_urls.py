"""Public survey pages (no login, under /public/surveys/): answer a survey from its link or QR code."""

from django.urls import path

from xiaobao.surveys import public_views

app_name = "surveys_public"

urlpatterns = [
    path("<str:token>/", public_views.answer, name="answer"),
]
