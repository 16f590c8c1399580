from django.urls import path

from . import views, views_staff

app_name = "volunteers"

urlpatterns = [
    path("join/", views.signup, name="signup"),
    path("mine/", views.mine, name="mine"),
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views_staff.publish, name="publish"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/join/", views.join, name="join"),
    path("activities/<int:pk>/leave/", views.leave, name="leave"),
    path("activities/<int:pk>/signups/", views_staff.roster, name="roster"),
    path("activities/<int:pk>/qr/<str:direction>/", views_staff.qr, name="qr"),
    path("signups/<int:pk>/<str:step>/", views_staff.signup_act, name="signup_act"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("posts/", views_staff.posts, name="posts"),
    path("posts/new/", views_staff.publish_post, name="post_publish"),
    path("posts/<int:pk>/", views_staff.post, name="post"),
    path("registry/", views_staff.registry, name="registry"),
    path("registry/new/", views_staff.register, name="register"),
    path("registry/<int:pk>/", views_staff.volunteer, name="volunteer"),
    path("registry/<int:pk>/<str:step>/", views_staff.volunteer_act, name="volunteer_act"),
]
