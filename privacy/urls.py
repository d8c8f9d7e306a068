from django.urls import path

from .api import CustomerEraseView, CustomerExportView

urlpatterns = [
    path("customers/<int:pk>/export/", CustomerExportView.as_view(), name="customer-export"),
    path("customers/<int:pk>/erase/", CustomerEraseView.as_view(), name="customer-erase"),
]
