from xiaobao.education import urls_activities, urls_campaigns, urls_figures

app_name = "education"

# The catalogue, editions and targets (urls_campaigns); activities and their approval (urls_activities);
# figures, the regulator table and the campaign summary (urls_figures).
urlpatterns = [*urls_campaigns.urlpatterns, *urls_activities.urlpatterns, *urls_figures.urlpatterns]
