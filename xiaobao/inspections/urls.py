from django.urls import path

from xiaobao.inspections import views
from xiaobao.inspections.views import plans as plan_views
from xiaobao.inspections.views.figures import figures_export_view

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list_view, name="list"),
    path("figures/export/", figures_export_view, name="figures_export"),
]

# Plans (views/plans.py)
urlpatterns += [
    path("plans/", plan_views.plan_list_view, name="plan_list"),
    path("plans/new/", plan_views.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/draw/", plan_views.plan_draw_view, name="plan_draw"),
    path("plans/<int:pk>/publish/", plan_views.plan_publish_view, name="plan_publish"),
    path("plans/<int:pk>/close/", plan_views.plan_close_view, name="plan_close"),
]
