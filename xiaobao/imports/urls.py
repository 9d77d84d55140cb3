from django.urls import path

from xiaobao.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_create, name="create"),
    path("presets/", views.preset_list, name="presets"),
    path("presets/<int:pk>/", views.preset_edit, name="preset_edit"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("<int:pk>/validate/", views.import_validate, name="validate"),
    path("<int:pk>/run/", views.import_run, name="run"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="errors"),
]
