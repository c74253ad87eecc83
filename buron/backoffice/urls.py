from django.urls import path

from . import views

app_name = "backoffice"

# Mounted before booking's host pages: /gestion/ itself is the operator's home (booking's
# "booking:manage" name still resolves to it). The network's pages sit under
# /gestion/reseau/…, two segments no site page uses (those are /gestion/<slug>/ and
# /gestion/<slug>/semaine/, /reserver/, /arrivees/…), so no site's short name hides them.
urlpatterns = [
    path("gestion/", views.home, name="home"),
    path("gestion/reseau/membres/", views.members, name="members"),
    path("gestion/reseau/membres.csv", views.members_csv, name="members_csv"),
    path("gestion/reseau/regles/", views.rules, name="rules"),
    path("gestion/<slug:slug>/sans-compte/", views.walk_in, name="walk_in"),
]
