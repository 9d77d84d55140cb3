"""URLs: figures, the regulator table and the campaign summary."""

from django.urls import path

from xiaobao.education import views_figures

urlpatterns = [
    path("figures/", views_figures.figures_page, name="figures"),
    path("figures/export.xlsx", views_figures.figures_export, name="figures_export"),
    path("editions/<int:pk>/table.xlsx", views_figures.edition_table, name="edition_table"),
    path("editions/<int:pk>/summary.docx", views_figures.edition_summary, name="edition_summary"),
]
