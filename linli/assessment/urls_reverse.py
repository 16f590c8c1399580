"""/assessment/reverse/ (反向考核) and /assessment/reports/ (the monthly report); names inside the shared
"assessment" namespace carry a `reverse_` or `report` prefix."""

from django.urls import path

from . import views_reports, views_reverse, views_survey

urlpatterns = [
    path("reverse/", views_reverse.to_rate_list, name="reverse_to_rate"),
    path("reverse/rate/", views_reverse.rate, name="reverse_rate"),
    path("reverse/surveys/", views_survey.surveys, name="reverse_surveys"),
    path("reverse/surveys/open/", views_survey.open_form, name="reverse_survey_open"),
    path("reverse/surveys/<int:pk>/<int:unit>/", views_survey.answer, name="reverse_survey_answer"),
    path("reverse/results/", views_survey.results, name="reverse_results"),
    path("reports/", views_reports.index, name="reports"),
    path("reports/<int:unit>/<str:month>/", views_reports.page, name="report"),
    path("reports/<int:unit>/<str:month>/report.xlsx", views_reports.download_xlsx, name="report_xlsx"),
    path("reports/<int:unit>/<str:month>/report.pdf", views_reports.download_pdf, name="report_pdf"),
]
