from django.urls import include, path

app_name = "assessment"

urlpatterns = [
    path("dashboards/", include("linli.assessment.urls_dashboards")),
]
