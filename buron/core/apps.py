from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "buron.core"
    label = "core"
