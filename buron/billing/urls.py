from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("compte/factures/", views.mine, name="mine"),
    path("compte/factures/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("paiement/retour/", views.payment_callback, name="payment_callback"),
    path("gestion-factures/", views.staff_list, name="staff_list"),
    path("gestion-factures/<int:pk>/paiement/", views.staff_payment, name="staff_payment"),
    path(
        "gestion-factures/export/<slug:what>.<slug:fmt>",
        views.staff_export,
        name="staff_export",
    ),
]
