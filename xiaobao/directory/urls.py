from django.urls import path

from xiaobao.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("mappings/new/", views.mapping_create, name="mapping_create"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("lookup/", views.lookup, name="lookup"),
    path("sync/", views.sync, name="sync"),
]
