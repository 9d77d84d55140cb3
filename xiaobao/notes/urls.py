from django.urls import path

from xiaobao.notes import views

app_name = "notes"

urlpatterns = [
    path("complaints/<int:pk>/add/", views.note_add, name="add"),
    path("complaints/<int:pk>/mentions/", views.mention_candidates, name="mentions"),
    path(
        "complaints/<int:pk>/templates/<int:template_id>/render/",
        views.template_render,
        name="template_render",
    ),
    path("complaints/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("complaints/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:pk>/edit/", views.note_edit, name="edit"),
    path("<int:pk>/delete/", views.note_delete, name="delete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
