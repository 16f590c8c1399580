"""/resources/: the resource and expert library, and venue booking calendars."""

from django.urls import path

from . import views, views_booking

app_name = "resources"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("<int:pk>/calendar/", views_booking.calendar, name="calendar"),
    path("<int:pk>/book/", views_booking.book, name="book"),
    path("bookings/<int:pk>/<slug:action>/", views_booking.booking_act, name="booking_act"),
]
