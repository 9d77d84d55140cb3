from django.urls import path

from xiaobao.exams import views_candidate as views

# The candidates' pages (phone first): my learning, an exam's start page, the attempt being taken, its result,
# the wrong-answer book.
urlpatterns = [
    path("my/", views.my_learning, name="my"),
    path("my/<int:pk>/", views.exam_start, name="start"),
    path("my/attempts/<int:pk>/", views.attempt_take, name="take"),
    path("my/attempts/<int:pk>/submit/", views.attempt_submit_page, name="submit"),
    path("my/attempts/<int:pk>/result/", views.attempt_result, name="result"),
    path("my/wrong-answers/", views.wrong_answers, name="wrong_answers"),
    path("my/wrong-answers/practice/", views.wrong_answers_practice, name="wrong_practice"),
]
