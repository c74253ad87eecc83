from django.urls import path

from . import host_views, views

app_name = "booking"

urlpatterns = [
    # Members
    path("reserver/", views.search, name="search"),
    path("reserver/confirmer/", views.book, name="book"),
    path("reserver/recurrente/", views.series, name="series"),
    path("mes-reservations/", views.mine, name="mine"),
    path("mes-reservations/<int:pk>/", views.detail, name="detail"),
    path("mes-reservations/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("mes-reservations/<int:pk>/agenda.ics", views.booking_ics, name="booking_ics"),
    path("mes-reservations/recurrentes/<int:pk>/", views.series_detail, name="series_detail"),
    path(
        "mes-reservations/calendrier/nouvelle-adresse/",
        views.calendar_rotate,
        name="calendar_rotate",
    ),
    # The calendar feed: no login, the secret address is the key.
    path("calendrier/<slug:token>.ics", views.calendar_feed, name="ical"),
    # Site hosts
    path("gestion/", host_views.index, name="manage"),
    path("gestion/<slug:slug>/", host_views.site_day, name="manage_site"),
    path("gestion/<slug:slug>/semaine/", host_views.site_week, name="manage_week"),
    path("gestion/<slug:slug>/reserver/", host_views.book, name="manage_book"),
    path("gestion/<slug:slug>/recurrente/", host_views.series, name="manage_series"),
    path("gestion/<slug:slug>/bloquer/", host_views.block, name="manage_block"),
    path(
        "gestion/<slug:slug>/blocages/<int:pk>/",
        host_views.block_detail,
        name="manage_block_detail",
    ),
    path(
        "gestion/<slug:slug>/reservations/<int:pk>/annuler/",
        host_views.cancel,
        name="manage_cancel",
    ),
    path(
        "gestion/<slug:slug>/reservations/<int:pk>/deplacer/",
        host_views.move,
        name="manage_move",
    ),
]
