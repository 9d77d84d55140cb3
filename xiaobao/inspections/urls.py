from django.urls import path

from xiaobao.inspections import views
from xiaobao.inspections.views.figures import figures_export_view

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list_view, name="list"),
    path("figures/export/", figures_export_view, name="figures_export"),
]
