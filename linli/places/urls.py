from django.urls import path

from . import views, views_edit

app_name = "places"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("resolve/", views.resolve, name="resolve"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
    path("<int:pk>/add/", views_edit.add_child, name="add_child"),
    path("<int:pk>/edit/", views_edit.edit, name="edit"),
    path("<int:pk>/rename/", views_edit.rename, name="rename"),
    path("<int:pk>/move/", views_edit.move, name="move"),
    path("<int:pk>/retire/", views_edit.retire, name="retire"),
    path("<int:pk>/restore/", views_edit.restore, name="restore"),
]
