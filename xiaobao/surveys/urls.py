from django.urls import path

from xiaobao.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("list/", views.survey_list, name="surveys"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/status/", views.survey_status, name="status"),
    path("<int:pk>/delete/", views.survey_delete, name="delete"),
    path("<int:pk>/poster/", views.survey_poster, name="poster"),
    path("<int:pk>/invitations/", views.survey_invitations, name="invitations"),
    path("<int:pk>/results/", views.survey_results_page, name="results"),
    path("<int:pk>/results.xlsx", views.survey_results_export, name="results_export"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/copy/", views.questionnaire_copy, name="questionnaire_copy"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
]
