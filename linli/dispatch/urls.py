from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("try/", views.try_engine, name="try"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
]
