from django.urls import path

from xiaobao.exams import views_organiser as views

# The organisers' exam pages: the list, a new exam and a draft's edit, one exam (publish, close, progress),
# its results (with the Excel export), item analysis and contest ranking.
urlpatterns = [
    path("", views.exam_list, name="list"),
    path("new/", views.exam_create, name="exam_create"),
    path("<int:pk>/", views.exam_detail, name="exam_detail"),
    path("<int:pk>/edit/", views.exam_edit, name="exam_edit"),
    path("<int:pk>/publish/", views.exam_publish, name="exam_publish"),
    path("<int:pk>/close/", views.exam_close, name="exam_close"),
    path("<int:pk>/progress/", views.exam_progress, name="exam_progress"),
    path("<int:pk>/results/", views.exam_results, name="exam_results"),
    path("<int:pk>/results.xlsx", views.exam_results_export, name="exam_results_export"),
    path("<int:pk>/analysis/", views.exam_analysis, name="exam_analysis"),
    path("<int:pk>/ranking/", views.exam_ranking, name="exam_ranking"),
]
