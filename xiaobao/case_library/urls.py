from django.urls import path

from xiaobao.case_library import views

app_name = "case_library"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("from-complaint/<int:complaint_pk>/", views.from_complaint, name="from_complaint"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("export.docx", views.export_docx, name="export_docx"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("circulate/", views.circulate, name="circulate"),
    path("circulations/", views.circulations, name="circulations"),
    path("circulations/<int:pk>/", views.circulation, name="circulation"),
    path("circulations/<int:pk>/remind/", views.remind, name="remind"),
    path("reading/", views.reading_list, name="reading_list"),
    path("reading/<int:pk>/", views.reading, name="reading"),
    path("reading/<int:pk>/read/", views.acknowledge, name="acknowledge"),
]
