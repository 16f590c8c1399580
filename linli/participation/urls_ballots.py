"""/participate/ballots/: the owner's votes and ballot, the published result, and the staff desk of a vote."""

from django.urls import path

from . import views_ballots, views_results, views_staff

urlpatterns = [
    path("", views_ballots.my_votes, name="my_votes"),
    path("<int:vote>/cast/<int:entry>/", views_ballots.cast, name="ballot_cast"),
    path("<int:vote>/result/", views_results.result, name="result"),
    path("<int:vote>/result/check/", views_results.receipt_check, name="receipt_check"),
    path("<int:vote>/result/file/", views_results.result_file, name="result_file"),
    path("<int:vote>/turnout/", views_staff.turnout, name="turnout"),
    path("<int:vote>/turnout/not-yet-voted/", views_staff.turnout_export, name="turnout_export"),
    path("<int:vote>/paper/", views_staff.paper_entry, name="paper_entry"),
    path("<int:vote>/paper/settle/", views_staff.paper_resolve, name="paper_resolve"),
    path("<int:vote>/in-person/", views_staff.in_person, name="in_person"),
    path("<int:vote>/roll/<int:entry>/proxy/", views_staff.proxy, name="proxy"),
]
