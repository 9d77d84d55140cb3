from django.urls import path

from xiaobao.early_warning import views

app_name = "early_warning"

urlpatterns = [
    path("", views.warning_list_view, name="list"),
    path("export/", views.warning_export, name="export"),
    path("watch-words/", views.watch_words, name="watch_words"),
    path("watch-words/<int:pk>/", views.watch_word_edit, name="watch_word_edit"),
    path("watch-words/<int:pk>/delete/", views.watch_word_remove, name="watch_word_delete"),
    path("<int:pk>/", views.warning_detail_view, name="detail"),
    path("<int:pk>/acknowledge/", views.warning_acknowledge_view, name="acknowledge"),
]
