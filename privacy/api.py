"""`GET /api/customers/<id>/export/` and `POST /api/customers/<id>/erase/`."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import MAX_ID
from core.api.schema import ERRORS
from interactions.selectors import customer_list

from . import services


def _customer(request, pk: int):
    customer = customer_list(user=request.user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if customer is None:
        raise Http404
    return customer


class CustomerExportView(APIView):
    """Everything stored about one customer, as JSON (the team's managers and admins)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiResponse(description="The customer's data."), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]})
    def get(self, request, pk: int):
        return Response(services.customer_export(actor=request.user, customer=_customer(request, pk)))


class CustomerEraseView(APIView):
    """Erase a customer's personal data; their levels stay, anonymous, in the figures."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Erased."), **ERRORS})
    def post(self, request, pk: int):
        customer = services.customer_erase(actor=request.user, customer=_customer(request, pk))
        return Response({"id": customer.pk, "erased": True})
