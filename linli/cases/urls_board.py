from django.urls import path

from . import views_board

app_name = "board"
urlpatterns = [
    path("", views_board.board, name="list"),
    path("<int:pk>/", views_board.board_case, name="case"),
]
