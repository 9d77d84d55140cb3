from django.urls import path

from xiaobao.directory import oidc, views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("mappings/new/", views.mapping_create, name="mapping_create"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("lookup/", views.lookup, name="lookup"),
    path("sync/", views.sync, name="sync"),
    # OpenID Connect sign-in: public (core.middleware PUBLIC_PREFIXES has /directory/oidc/); 404 when off
    path("oidc/authenticate/", oidc.authenticate_view, name="oidc_authenticate"),
    path("oidc/callback/", oidc.callback_view, name="oidc_callback"),
]
