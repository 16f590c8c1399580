from django.urls import path

from . import views

app_name = "worktime"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/template/", views.template, name="template"),
    path("calendar/import/", views.import_view, name="import"),
]
