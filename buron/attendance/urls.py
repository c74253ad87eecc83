from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    # Members, from the QR code at the entrance: the code is the key to the site.
    path("pointage/<str:token>/", views.checkin, name="checkin"),
    # Site hosts
    path("gestion/<slug:slug>/arrivees/", views.arrivals, name="arrivals"),
    path("gestion/<slug:slug>/arrivees/pointer/", views.host_checkin, name="host_checkin"),
    path("gestion/<slug:slug>/arrivees/sans-reservation/", views.walk_in, name="walk_in"),
    path("gestion/<slug:slug>/affiche-pointage.pdf", views.poster, name="poster"),
]
