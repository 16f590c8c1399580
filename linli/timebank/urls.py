from django.urls import path

from . import views, views_staff

app_name = "timebank"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("exchange/", views.exchange_new, name="exchange_new"),
    path("exchange/<int:pk>/<str:verb>/", views.exchange_act, name="exchange_act"),
    path("rewards/<int:pk>/redeem/", views.redeem_reward, name="redeem"),
    path("people/<int:pk>/<int:year>/", views.statement, name="statement"),
    path("people/<int:pk>/<int:year>/statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("people/<int:pk>/<int:year>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("communities/", views_staff.communities, name="communities"),
    path("communities/<int:pk>/", views_staff.community, name="community"),
    path("communities/<int:pk>/award/", views_staff.award, name="award"),
    path("communities/<int:pk>/rewards/", views_staff.reward_save, name="reward_new"),
    path("communities/<int:pk>/rewards/<int:reward_pk>/", views_staff.reward_save, name="reward_edit"),
    path("transfers/<int:pk>/reverse/", views_staff.reverse, name="reverse"),
    path("redemptions/<int:pk>/cancel/", views_staff.cancel, name="cancel_redemption"),
]
