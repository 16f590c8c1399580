"""/participate/topics/: deliberation topics and their meetings."""

from django.urls import path

from . import views_meetings, views_topics

urlpatterns = [
    path("", views_topics.topic_list, name="topic_list"),
    path("new/", views_topics.topic_new, name="topic_new"),
    path("<int:pk>/", views_topics.topic_detail, name="topic_detail"),
    path("<int:pk>/open/", views_topics.topic_open, name="topic_open"),
    path("<int:pk>/comment/", views_topics.topic_comment, name="topic_comment"),
    path("comments/<int:pk>/hide/", views_topics.comment_hide, name="comment_hide"),
    path("<int:pk>/proposal/", views_topics.topic_proposal, name="topic_proposal"),
    path("<int:pk>/decide/", views_topics.topic_decide, name="topic_decide"),
    path("<int:pk>/vote/", views_topics.topic_vote, name="topic_vote"),
    path("<int:pk>/publish/", views_topics.topic_publish, name="topic_publish"),
    path("<int:pk>/case/", views_topics.topic_case, name="topic_case"),
    path("<int:pk>/done/", views_topics.topic_done, name="topic_done"),
    path("<int:pk>/reject/", views_topics.topic_reject, name="topic_reject"),
    path("<int:pk>/meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attendance/", views_meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views_meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes/document/", views_meetings.meeting_document, name="meeting_document"),
]
