from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import cases_views, pages, people_views, views

router = DefaultRouter()
router.register("places", views.PlaceViewSet, basename="place")
router.register("units", views.UnitViewSet, basename="unit")
router.register("matters", views.MatterViewSet, basename="matter")
router.register("cases", cases_views.CaseViewSet, basename="case")
router.register("persons", people_views.PersonViewSet, basename="person")
router.register("households", people_views.HouseholdViewSet, basename="household")
router.register("houses", people_views.HouseViewSet, basename="house")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/responsibility/", views.responsibility, name="responsibility"),
    path("v1/me/", views.me, name="me"),
    path("v1/dispatch/decide/", views.dispatch_decide, name="dispatch-decide"),
    path("v1/dispatch/decisions/<int:pk>/correct/", views.dispatch_correct, name="dispatch-correct"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token-revoke"),
    # Last: an address no route matched (e.g. /v1/units/abc/) gets a JSON 404, as its schema documents.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found, name="not-found"),
]
