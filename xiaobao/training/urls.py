from xiaobao.training import urls_figures, urls_sessions, urls_staff

app_name = "training"

# Sessions, plans, sign-in and coverage (urls_sessions); the staff register and training records
# (urls_staff); the figures' Excel export (urls_figures).
urlpatterns = [*urls_sessions.urlpatterns, *urls_staff.urlpatterns, *urls_figures.urlpatterns]
