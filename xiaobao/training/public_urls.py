"""Public pages (no login, under /public/training/): the QR sign-in page of a session for staff without an
account (employee number and name, only while the session's sign-in is open, on its day; throttled)."""

from django.urls import path

from xiaobao.training import public_views

app_name = "training_public"

urlpatterns = [
    path("sign-in/<str:token>/", public_views.public_signin, name="signin"),
]
