"""The question bank's pages (/exams/questions/…), names prefixed question_ in the `exams` namespace."""

from django.urls import path

from xiaobao.exams import views_questions as views

urlpatterns = [
    path("questions/", views.question_list_view, name="questions"),
    path("questions/new/", views.question_create_view, name="question_create"),
    path("questions/import/", views.question_import_view, name="question_import"),
    path("questions/template.xlsx", views.question_template_view, name="question_template"),
    path("questions/export.xlsx", views.question_export_view, name="question_export"),
    path("questions/tags/", views.tag_list_view, name="question_tags"),
    path("questions/tags/<int:pk>/edit/", views.tag_edit_view, name="question_tag_edit"),
    path("questions/tags/<int:pk>/revised/", views.tag_revised_view, name="question_tag_revised"),
    path("questions/<int:pk>/", views.question_detail_view, name="question_detail"),
    path("questions/<int:pk>/edit/", views.question_edit_view, name="question_edit"),
    path("questions/<int:pk>/reviewed/", views.question_reviewed_view, name="question_reviewed"),
]
