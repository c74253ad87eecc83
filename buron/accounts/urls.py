from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("profil/", views.profile, name="profile"),
    path("statut/", views.status, name="status"),
    path("statut/retirer/", views.status_remove, name="status_remove"),
    path("courriels/", views.emails, name="emails"),
    path("mes-donnees/", views.data_export, name="export"),
    path("fermer/", views.close, name="close"),
    path("ferme/", views.closed, name="closed"),
]
