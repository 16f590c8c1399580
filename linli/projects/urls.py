from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:name>/", views.act, name="act"),
    path("claims/<int:pk>/choose/", views.choose, name="choose"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
