from django.urls import path

from xiaobao.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("catalogue.xlsx", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/repeal/", views.repeal, name="repeal"),
    path("<int:pk>/review/", views.mark_reviewed, name="mark_reviewed"),
    path("versions/<int:pk>/", views.version, name="version"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("versions/<int:pk>/discard/", views.version_discard, name="version_discard"),
    path("versions/<int:pk>/document/", views.version_document, name="version_document"),
    path("versions/<int:pk>/document/upload/", views.version_document_upload, name="version_document_upload"),
    path("clauses/<int:pk>/articles/", views.clause_map, name="clause_map"),
    path("clauses/<int:pk>/articles/<int:article_id>/remove/", views.clause_unmap, name="clause_unmap"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.xlsx", views.coverage_export, name="coverage_export"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:year>.xlsx", views.changes_export, name="changes_export"),
    path("regulations/", views.regulations, name="regulations"),
    path("regulations/<int:pk>/", views.regulation, name="regulation"),
]
