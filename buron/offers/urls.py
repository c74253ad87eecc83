from django.urls import path

from . import views

app_name = "offers"

urlpatterns = [
    path("mes-droits/", views.my_rights, name="my_rights"),
    path("mes-droits/<int:pk>/arreter/", views.subscription_stop, name="subscription_stop"),
    path("gestion/<slug:slug>/ventes/", views.site_sales, name="site_sales"),
    path("gestion/<slug:slug>/justificatifs/", views.site_proofs, name="site_proofs"),
    path("gestion/<slug:slug>/services/", views.site_services, name="site_services"),
]
