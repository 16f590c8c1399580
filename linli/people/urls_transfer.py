"""/people/transfer/: Excel in and out of the registry (namespace "people", names prefixed transfer_)."""

from django.urls import path

from . import views_transfer as views

urlpatterns = [
    path("", views.transfer, name="transfer"),
    path("template/<slug:kind>/", views.template_download, name="transfer_template"),
    path("import/", views.upload, name="transfer_upload"),
    path("import/<int:pk>/columns/", views.mapping, name="transfer_mapping"),
    path("import/<int:pk>/preview/", views.preview, name="transfer_preview"),
    path("import/<int:pk>/", views.job, name="transfer_job"),
    path("import/<int:pk>/progress/", views.progress, name="transfer_progress"),
    path("export/persons/", views.export_persons, name="transfer_export_persons"),
    path("export/houses/", views.export_houses, name="transfer_export_houses"),
]
