"""/assessment/: each area of the assessment keeps its own URL list, included here."""

from django.urls import include, path

app_name = "assessment"
urlpatterns = [
    path("", include("linli.assessment.urls_reverse")),
]
