from django.apps import AppConfig


class DriftConfig(AppConfig):
    name = "drift"
    verbose_name = "Expectation drift and re-scoring"
