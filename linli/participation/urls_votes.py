"""/participate/votes/: the staff pages that run owners' votes (URL names carry a `vote_` prefix)."""

from django.urls import path

from . import views_votes as views

urlpatterns = [
    path("", views.vote_list, name="vote_list"),
    path("new/", views.vote_create, name="vote_create"),
    path("<int:pk>/", views.vote_detail, name="vote_detail"),
    path("<int:pk>/open/", views.vote_open, name="vote_open"),
    path("<int:pk>/close/", views.vote_close, name="vote_close"),
    path("<int:pk>/cancel/", views.vote_cancel, name="vote_cancel"),
]
