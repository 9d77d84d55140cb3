from django.contrib.auth import views as auth_views
from django.urls import include, path

from xiaobao.directory.tests.oidc_provider import views

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("test/user/", views.user),
    path("test/redirect-uris/", views.redirect_uris),
    path("test/wrong-jwks/", views.wrong_jwks),
]
