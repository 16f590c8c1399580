from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("resolve/", views.resolve, name="resolve"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
]
