from django.urls import path

from . import shop_views, views

app_name = "billing"

urlpatterns = [
    path("compte/factures/", views.mine, name="mine"),
    path("compte/factures/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("paiement/retour/", views.payment_callback, name="payment_callback"),
    path("paiement/test/", shop_views.fake_card, name="fake_card"),
    path("acheter/", shop_views.catalogue, name="shop"),
    path("acheter/achats/<int:pk>/", shop_views.purchase, name="purchase"),
    path("acheter/<slug:slug>/<int:offer_id>/", shop_views.buy, name="buy"),
    path("gestion-factures/", views.staff_list, name="staff_list"),
    path("gestion-factures/<int:pk>/paiement/", views.staff_payment, name="staff_payment"),
    path(
        "gestion-factures/export/<slug:what>.<slug:fmt>",
        views.staff_export,
        name="staff_export",
    ),
]
