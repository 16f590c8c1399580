"""/people/care/: care visits (关爱走访). URL names carry a `care_` prefix inside the shared "people" namespace."""

from django.urls import path

from . import views_care as views

urlpatterns = [
    path("", views.care_list, name="care_list"),
    path("map/", views.care_map, name="care_map"),
    path("rules/", views.rules, name="care_rules"),
    path("<int:pk>/visit/", views.visit, name="care_visit"),
    path("<int:pk>/visits/", views.history, name="care_history"),
    path("visits/<int:pk>/photo/", views.photo, name="care_photo"),
]
