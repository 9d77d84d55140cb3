from django.urls import path

from xiaobao.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list_view, name="list"),
]
