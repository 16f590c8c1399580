"""/participate/: deliberation topics, owners' votes (running them) and ballots (casting, turnout, results)."""

from django.urls import include, path

app_name = "participation"
urlpatterns = [
    path("topics/", include("linli.participation.urls_topics")),
    path("votes/", include("linli.participation.urls_votes")),
    path("ballots/", include("linli.participation.urls_ballots")),
]
