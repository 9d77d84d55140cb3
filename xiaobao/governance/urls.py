from django.urls import path

from xiaobao.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("bodies/", views.bodies, name="bodies"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("bodies/<int:pk>/members/", views.member_add, name="member_add"),
    path("bodies/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/items/", views.item_new, name="item_new"),
    path("meetings/<int:pk>/minutes/", views.minutes_download, name="minutes"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/actions/<slug:action>/", views.item_action, name="item_action"),
    path("items/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("items/<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("liaisons/", views.liaisons, name="liaisons"),
    path("liaisons/<int:pk>/end/", views.liaison_end, name="liaison_end"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/<int:pk>/", views.supervisor_detail, name="supervisor"),
    path("feedback/", views.feedback, name="feedback"),
    path("export/", views.export, name="export"),
]
