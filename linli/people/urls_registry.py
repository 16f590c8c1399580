"""The registry pages (mounted at /people/, namespace "people"): search, the person, household and house cards
with their action forms, the logged reveal, the subject's copy and registration."""

from django.urls import path

from . import views, views_actions

urlpatterns = [
    path("", views.search, name="search"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/copy/", views.subject_copy, name="subject_copy"),
    path("<int:pk>/act/<slug:name>/", views_actions.act, {"kind": "person"}, name="person_act"),
    path("<int:pk>/act/<slug:name>/<int:obj>/", views_actions.act, {"kind": "person"}, name="person_act_on"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/act/<slug:name>/", views_actions.act, {"kind": "household"}, name="household_act"),
    path(
        "households/<int:pk>/act/<slug:name>/<int:obj>/",
        views_actions.act,
        {"kind": "household"},
        name="household_act_on",
    ),
    path("houses/<int:pk>/", views.house, name="house"),
    path("houses/<int:pk>/act/<slug:name>/", views_actions.act, {"kind": "house"}, name="house_act"),
    path("houses/<int:pk>/act/<slug:name>/<int:obj>/", views_actions.act, {"kind": "house"}, name="house_act_on"),
]
