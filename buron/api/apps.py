from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "buron.api"
    label = "api"
