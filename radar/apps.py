from django.apps import AppConfig


class RadarConfig(AppConfig):
    name = "radar"
    verbose_name = "Delight radar"
