"""/services/: the service catalogue (服务清单) and its providers' offers."""

from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("offers/new/", views.offer_edit, name="offer_new"),
    path("offers/<int:pk>/", views.offer_edit, name="offer_edit"),
    path("kinds/new/", views.kind_edit, name="kind_new"),
    path("kinds/<int:pk>/", views.kind_edit, name="kind_edit"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
]
