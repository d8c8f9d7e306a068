"""What the weekly report announces, for the apps built on it (webhooks) to hear without reports importing them."""

from django.dispatch import Signal

# A weekly report reached the team's managers: `send` (the WeeklyReportSend ledger row, status sent).
# Sent after the mail went out, outside any transaction.
report_sent = Signal()
