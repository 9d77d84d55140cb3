from django.urls import path

from xiaobao.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_view, name="list"),
    path("new/", views.report_create, name="create"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/file/", views.template_download, name="template_download"),
    path("templates/<int:pk>/toggle/", views.template_toggle, name="template_toggle"),
    path("<int:pk>/", views.report_detail_view, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/file/", views.report_download, name="download"),
]
