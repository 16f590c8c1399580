from django.contrib import admin
from django.urls import include, path

from linli.core import views as core_views

# admin.site is linli.accounts.admin_site.LinliAdminSite (settings.INSTALLED_APPS): behind Linli's login.

urlpatterns = [
    path("", core_views.home, name="home"),
    path("role/", core_views.switch_role, name="switch_role"),
    path("accounts/", include("linli.accounts.urls")),
    path("places/", include("linli.places.urls")),
    path("orgs/", include("linli.orgs.urls")),
    path("dispatch/", include("linli.dispatch.urls")),
    path("api/", include("linli.api.urls")),
    path("open311/v2/", include("linli.open311.urls")),
    path("worktime/", include("linli.worktime.urls")),
    path("notices/", include("linli.notices.urls")),
    path("cases/", include("linli.cases.urls")),
    path("board/", include("linli.cases.urls_board")),
    path("report/", include("linli.cases.intake_urls")),
    path("people/", include("linli.people.urls")),
    path("assessment/", include("linli.assessment.urls")),
    path("timebank/", include("linli.timebank.urls")),
    path("resources/", include("linli.resources.urls")),
    path("volunteers/", include("linli.volunteers.urls")),
    path("services/", include("linli.services.urls")),
    path("projects/", include("linli.projects.urls")),
    path("participate/", include("linli.participation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
