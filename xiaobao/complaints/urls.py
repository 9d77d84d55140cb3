from django.urls import path

from xiaobao.complaints.views import detail, exports, intake, pages

app_name = "complaints"

urlpatterns = [
    path("", pages.complaint_list_view, name="list"),
    path("export/", pages.complaint_export, name="export"),
    path("exports/<int:pk>/", exports.export_job_view, name="export_job"),
    path("exports/<int:pk>/status/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/file/", exports.export_download, name="export_download"),
    path("queue/", pages.queue, name="queue"),
    path("approvals/", pages.approvals, name="approvals"),
    path("notifications/", pages.notifications, name="notifications"),
    path("new/", intake.complaint_create, name="create"),
    path("lookup/", intake.lookup, name="lookup"),
    path("<int:pk>/", detail.complaint_detail_view, name="detail"),
    path("<int:pk>/actions/<slug:action>/", detail.complaint_action, name="action"),
    path("<int:pk>/attachments/", detail.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", detail.attachment_download, name="attachment"),
    path("<int:pk>/notice/", detail.notice, name="notice"),
    path("<int:pk>/legal-hold/", detail.legal_hold, name="legal_hold"),
]
