"""Public pages (no login, under /public/verify/): checking an approval's code, number or file."""

from django.urls import path

from xiaobao.review import views_approvals as views

app_name = "review_public"

urlpatterns = [
    path("", views.public_verify, name="verify"),
    path("<str:code>/", views.public_verify_code, name="verify_code"),
]
