from django.urls import path

from xiaobao.special_services import views

app_name = "special_services"

urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/<int:unit_id>/", views.outlet, name="outlet"),
    path("facilities/<int:unit_id>/items/<int:item_id>/", views.tick, name="tick"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("home-services/", views.home_services, name="home_services"),
    path("home-services/export.xlsx", views.home_services_export, name="home_services_export"),
    path("home-services/new/", views.home_service_new, name="home_service_new"),
    path("home-services/<int:pk>/", views.home_service, name="home_service"),
    path("home-services/<int:pk>/edit/", views.home_service_edit, name="home_service_edit"),
    path("home-services/<int:pk>/delete/", views.home_service_delete, name="home_service_delete"),
    path("home-services/<int:pk>/reveal/", views.home_service_reveal, name="home_service_reveal"),
    path("figures/", views.figures, name="figures"),
    path("figures/export.xlsx", views.figures_export, name="figures_export"),
]
