from django.urls import re_path

from .inbound import inbound

urlpatterns = [
    # Providers' inbound webhooks through django-anymail ("inbound_mime" is Mailgun's raw-MIME variant).
    re_path(r"^anymail/(?P<provider>[a-z_]+)/inbound(?:_mime)?/$", inbound, name="inbox-inbound"),
]
