"""The REST API under /api/v1/: one router per domain app, assembled here."""

from django.urls import path
from ninja import NinjaAPI

from buron.places.api import router as places_router

api = NinjaAPI(
    title="Buron API",
    version="1",
    description="Sites, availability and bookings of a network of rural third places.",
    urls_namespace="api",
)
api.add_router("/", places_router)

urlpatterns = [path("", api.urls)]
