from django.urls import path

from . import grant_views, security_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp_view, name="login_otp"),
    path("login/phone/send/", views.phone_send_view, name="phone_send"),
    path("login/phone/verify/", views.phone_verify_view, name="phone_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("security/", security_views.security_view, name="security"),
    path("grants/", grant_views.grants, name="grants"),
    path("grants/<int:pk>/end/", grant_views.end_grant, name="grant_end"),
]
