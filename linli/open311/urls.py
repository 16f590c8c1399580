from django.urls import path, re_path

from . import views

FMT = r"\.(?P<format>xml|json)$"
app_name = "open311"
urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.updates, name="updates"),
    # Last: any other address under /open311/v2/ gets the spec's 404, in JSON when it asked for .json.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found, name="not-found"),
]
