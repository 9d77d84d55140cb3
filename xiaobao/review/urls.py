from django.urls import path, re_path

from xiaobao.review import views

app_name = "review"

urlpatterns: list = [
    path("", views.review_list_view, name="list"),
    re_path(r"^new/?$", views.review_create_view, name="create"),
    path("<int:pk>/", views.review_detail_view, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.review_action, name="action"),
    path("<int:pk>/answer/", views.answer_view, name="answer"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/opinions/", views.opinion_create, name="opinion_create"),
    path("<int:pk>/opinions/<int:number>/delete/", views.opinion_delete_view, name="opinion_delete"),
    path("<int:pk>/opinions/<int:number>/edit/", views.opinion_edit, name="opinion_edit"),
    path("<int:pk>/documents/", views.document_upload, name="upload"),
    path(
        "<int:pk>/documents/<int:document_id>/versions/<int:number>/",
        views.version_download,
        name="version",
    ),
    path("<int:pk>/documents/<int:document_id>/diff/<int:number>/", views.version_diff, name="diff"),
    path("<int:pk>/findings/<int:finding_id>/decide/", views.finding_decide_view, name="finding_decide"),
]

# --- approvals, complaint links and rule proposals (views_approvals.py) ---
from xiaobao.review import views_approvals  # noqa: E402

urlpatterns += [
    path("approvals/", views_approvals.approval_list, name="approvals"),
    path("approvals/<int:pk>/withdraw/", views_approvals.approval_withdraw, name="approval_withdraw"),
    path("approvals/<int:pk>/qr.svg", views_approvals.approval_qr, name="approval_qr"),
    path("approvals/<int:pk>/print/", views_approvals.approval_print, name="approval_print"),
    path("complaint-links/<int:complaint_pk>/", views_approvals.complaint_link_create, name="complaint_link"),
    path(
        "complaint-links/<int:complaint_pk>/<int:link_pk>/delete/",
        views_approvals.complaint_link_delete,
        name="complaint_unlink",
    ),
    path(
        "rule-proposals/from-complaint/<int:complaint_pk>/",
        views_approvals.rule_proposal,
        name="rule_proposal",
    ),
]

# --- the register as Excel (exports.py, G) ---
from xiaobao.review import exports  # noqa: E402

urlpatterns += [path("export.xlsx", exports.review_export_view, name="export")]
