from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "buron.demo"
    label = "demo"
    verbose_name = "Demo data"
