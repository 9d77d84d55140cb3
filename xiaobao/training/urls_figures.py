from django.urls import path

from xiaobao.training import views_figures

# The training-and-exams figures' Excel export (the figures are a section of the statistics page).
urlpatterns = [
    path("figures/export.xlsx", views_figures.figures_export, name="figures_export"),
]
