"""/people/: the registry's pages. Each area keeps its own URL list (registry pages, Excel in and out, care)."""

from django.urls import include, path

app_name = "people"
urlpatterns = [
    path("", include("linli.people.urls_registry")),
    path("transfer/", include("linli.people.urls_transfer")),
    path("care/", include("linli.people.urls_care")),
    path("statistics/", include("linli.people.urls_stats")),
]
