from django.urls import path, re_path

from xiaobao.checker import views

app_name = "checker"

urlpatterns = [
    path("", views.rule_list, name="list"),
    re_path(r"^new/?$", views.rule_create, name="create"),
    path("bench/", views.bench, name="bench"),
    path("<slug:code>/", views.rule_detail, name="rule"),
]
