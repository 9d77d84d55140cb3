from django.urls import path

from xiaobao.inspections import views
from xiaobao.inspections.views import checklists as checklist_views
from xiaobao.inspections.views import inspections as inspection_views
from xiaobao.inspections.views import plans as plan_views
from xiaobao.inspections.views.figures import figures_export_view

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list_view, name="list"),
    path("findings/", inspection_views.finding_list_view, name="findings"),
    path("<int:pk>/", inspection_views.inspection_detail_view, name="detail"),
    path("<int:pk>/fill/", inspection_views.inspection_fill_view, name="fill"),
    path("<int:pk>/answers/<str:item_code>/", inspection_views.answer_view, name="answer"),
    path("<int:pk>/photos/", inspection_views.photo_upload_view, name="photo_upload"),
    path("<int:pk>/photos/<int:photo_pk>/", inspection_views.photo_view, name="photo"),
    path("<int:pk>/actions/<str:action>/", inspection_views.action_view, name="action"),
    path("checklists/", checklist_views.checklist_list_view, name="checklists"),
    path("checklists/new/", checklist_views.checklist_create_view, name="checklist_create"),
    path("checklists/rating-bands/", checklist_views.rating_bands_view, name="rating_bands"),
    path("checklists/<int:pk>/", checklist_views.checklist_detail_view, name="checklist_detail"),
    path("checklists/<int:pk>/edit/", checklist_views.checklist_edit_view, name="checklist_edit"),
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
