from xiaobao.exams import urls_candidate, urls_organiser, urls_questions

app_name = "exams"

# The question bank (urls_questions), the organisers' exam pages (urls_organiser), the candidates' pages:
# my learning, taking an exam, the wrong-answer book (urls_candidate).
urlpatterns = [*urls_questions.urlpatterns, *urls_candidate.urlpatterns, *urls_organiser.urlpatterns]
