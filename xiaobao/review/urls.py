from django.urls import path  # noqa: F401

app_name = "review"

urlpatterns: list = []

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
