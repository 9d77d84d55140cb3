"""URLs: the education landing page, the catalogue and the editions with their targets."""

from django.urls import path

from xiaobao.education import views_campaigns as v

urlpatterns: list = [
    path("", v.home, name="home"),
    path("catalogue/", v.catalogue, name="catalogue"),
    path("catalogue/<str:kind>/new/", v.catalogue_new, name="catalogue_new"),
    path("catalogue/<str:kind>/<int:pk>/", v.catalogue_edit, name="catalogue_edit"),
    path("editions/", v.editions, name="editions"),
    path("editions/new/", v.edition_new, name="edition_new"),
    path("editions/<int:pk>/", v.edition, name="edition"),
    path("editions/<int:pk>/edit/", v.edition_edit, name="edition_edit"),
]
