from django.urls import path

from corrections import views

app_name = "corrections"

# None of these pages is cached: their forms carry a CSRF token and a fill-time stamp.
urlpatterns = [
    path("organisations/<slug:slug>/proposer-une-correction/", views.suggest, name="suggest"),
    path("ajouter-mon-organisation/", views.add_organisation, name="add_organisation"),
    path("proposition-envoyee/", views.thanks, name="thanks"),
    path("mise-a-jour/<str:token>/", views.self_update, name="self_update"),
    path("mise-a-jour/<str:token>/toujours-exactes/", views.still_correct, name="still_correct"),
]
