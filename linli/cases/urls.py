from django.urls import path

from . import views, views_actions

app_name = "cases"
urlpatterns = [
    path("", views.index, name="queues"),
    path("search/", views.search, name="search"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.detail, name="case"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/do/<slug:name>/", views_actions.act, name="act"),
    path("<int:pk>/do/<slug:name>/<int:obj>/", views_actions.act, name="act_on"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
