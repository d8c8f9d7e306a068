"""What privacy announces, for apps above it that hold a customer's data of their own (the inbox)."""

from django.dispatch import Signal

# A customer's personal data was erased: `customer` (already anonymous). Sent inside the erasing
# transaction, so what a listener erases goes with it or not at all.
customer_erased = Signal()
