"""Training home, plans, sessions (materials, QR sign-in, room display, attendance) and coverage (views)."""

from django.urls import path

from xiaobao.training import views as v

urlpatterns = [
    path("", v.home, name="home"),
    path("plans/", v.plans, name="plans"),
    path("plans/new/", v.plan_create, name="plan_create"),
    path("plans/<int:pk>/", v.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", v.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/courses/new/", v.course_create, name="course_create"),
    path("plans/<int:pk>/courses/<int:course_id>/edit/", v.course_edit, name="course_edit"),
    path("plans/<int:pk>/courses/<int:course_id>/delete/", v.course_delete, name="course_delete"),
    path("sessions/", v.sessions, name="sessions"),
    path("sessions/new/", v.session_create, name="session_create"),
    path("sessions/sign-in-list.xlsx", v.signin_template, name="signin_template"),
    path("sessions/<int:pk>/", v.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", v.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", v.session_delete, name="session_delete"),
    path("sessions/<int:pk>/sign-in/", v.session_signin, name="session_signin"),
    path("sessions/<int:pk>/room/", v.session_room, name="session_room"),
    path("sessions/<int:pk>/room/count/", v.session_room_count, name="session_room_count"),
    path("sessions/<int:pk>/materials/", v.material_upload, name="material_upload"),
    path("sessions/<int:pk>/materials/<int:material_id>/", v.material_download, name="material_download"),
    path("sessions/<int:pk>/materials/<int:material_id>/delete/", v.material_delete, name="material_delete"),
    path("sessions/<int:pk>/attendance/", v.attendance_add, name="attendance_add"),
    path("sessions/<int:pk>/attendance/import/", v.attendance_import, name="attendance_import"),
    path("sessions/<int:pk>/attendance.xlsx", v.attendance_export, name="attendance_export"),
    path("sessions/<int:pk>/attendance/<int:attendance_id>/", v.attendance_edit, name="attendance_edit"),
    path(
        "sessions/<int:pk>/attendance/<int:attendance_id>/remove/",
        v.attendance_remove,
        name="attendance_remove",
    ),
    path("coverage/", v.coverage_page, name="coverage"),
    path("coverage/export.xlsx", v.coverage_export, name="coverage_export"),
    path("sign-in/<str:token>/", v.signin, name="signin"),
]
