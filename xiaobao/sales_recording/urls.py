from django.urls import path

from xiaobao.sales_recording import views

app_name = "sales_recording"

urlpatterns = [
    path("", views.sale_list_view, name="list"),
    path("progress/", views.progress_view, name="progress"),
    path("samples/", views.sample_list_view, name="samples"),
    path("samples/<int:pk>/", views.sample_detail_view, name="sample_detail"),
    path("items/<int:pk>/check/", views.item_check_view, name="item_check"),
    path("import/", views.import_entry_view, name="import"),
    path("rules/<slug:code>/", views.rule_edit_view, name="rule_edit"),
]
