from django.urls import path

from corrections import views

app_name = "corrections"

urlpatterns = [
    path("mise-a-jour/<str:token>/", views.self_update, name="self_update"),
]
