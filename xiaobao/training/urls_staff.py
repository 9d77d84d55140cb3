"""The staff register, training records and the own record (views_staff)."""

from django.urls import path

from xiaobao.training import views_staff as v

urlpatterns = [
    path("staff/", v.staff_list, name="staff_list"),
    path("staff/new/", v.staff_new, name="staff_new"),
    path("staff/export.xlsx", v.staff_export, name="staff_export"),
    path("staff/import/", v.staff_import, name="staff_import"),
    path("staff/import/template.xlsx", v.staff_import_template, name="staff_import_template"),
    path("staff/<int:pk>/", v.staff_record, name="staff_record"),
    path("staff/<int:pk>/edit/", v.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/deactivate/", v.staff_deactivate_view, name="staff_deactivate"),
    path("staff/<int:pk>/record.xlsx", v.staff_record_export, name="staff_record_export"),
    path("me/", v.my_record, name="my_record"),
    path("me/record.xlsx", v.my_record_export, name="my_record_export"),
]
