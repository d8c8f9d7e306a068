"""CSV import of a team's customers and past interactions, for a team moving in from another tool.

Every row is checked first; when any row fails nothing is written and every error is reported by
row and field. A row whose external id came in before is skipped, so the same file twice imports
once. Interactions are logged in the order they happened (each is scored as of its moment, so the
escalator counts the history right), recorded with the cause `imported` (they open no recovery
case and send no webhook), and their customers are re-scored from the earliest imported moment.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import user_manages
from audit.services import audit_record
from interactions.models import Customer, Gesture, LevelChange
from interactions.rescoring import customer_rescore
from interactions.services import customer_create, interaction_log

from .models import ImportedRecord, ImportKind, ImportRun
from .rows import RowError, occurred_order, table_read


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    matched: int = 0  # customers already in the app (same email), now known by their external id
    already_imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refused(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


def _service_errors(line: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(line, name, list(messages)) for name, messages in exc.message_dict.items()]
    return [RowError(line, "row", list(exc.messages))]


def csv_import(*, actor: User, team: Team, kind: str, data: bytes, filename: str = "", dry_run: bool = False) -> ImportResult:
    """Check the whole file, then import it in one transaction (or nothing, with every error)."""
    if not user_manages(actor, team.id):
        raise PermissionDenied(_("Only the team's managers can import into it."))
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose customers or interactions.")]})
    table = table_read(kind=kind, data=data, tz=team.tz)
    result = ImportResult(kind=kind, rows=len(table.rows) + len({e.row for e in table.errors}), errors=list(table.errors))
    known = dict(
        ImportedRecord.objects.filter(team=team, kind=kind, external_id__in=[r["external_id"] for _, r in table.rows])
        .values_list("external_id", "object_id")
    )
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if row["external_id"] in seen:
            result.errors.append(RowError(line, "external_id", [
                _("The same external id as row %(row)d.") % {"row": seen[row["external_id"]]}]))
        seen.setdefault(row["external_id"], line)
    new = [(line, row) for line, row in table.rows if row["external_id"] not in known]
    if kind == ImportKind.INTERACTIONS:
        result.errors += _interaction_references(team, new)
    result.already_imported = len(table.rows) - len(new)
    if result.errors or dry_run:
        result.errors.sort(key=lambda e: (e.row, e.field))
        if dry_run and not result.errors:
            result.created = len(new)  # would be new (or matched by email)
        return result
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(team=team, kind=kind, actor=actor, filename=filename[:200], rows=result.rows)
            if kind == ImportKind.CUSTOMERS:
                _customers_write(actor, team, run, new, result)
            else:
                _interactions_write(actor, team, run, new, result)
            run.created, run.already_imported = result.created + result.matched, result.already_imported
            run.save(update_fields=["created", "already_imported"])
            audit_record(actor=actor, action=f"import.{kind}", subject=f"import {run.pk} {filename}"[:200],
                         new=f"{result.created} new, {result.matched} matched, {result.already_imported} already imported",
                         team_id=team.id)
    except _Refused as refused:
        result.created = result.matched = 0
        result.errors = refused.errors
        return result
    result.run = run
    return result


def _interaction_references(team: Team, rows) -> list[RowError]:
    """The customers and gestures the rows name must be the team's (one query each)."""
    errors = []
    customers = set(
        ImportedRecord.objects.filter(team=team, kind=ImportKind.CUSTOMERS, external_id__in={r["customer"] for _, r in rows})
        .values_list("external_id", flat=True)
    )
    gestures = set(Gesture.objects.filter(team=team, active=True).values_list("name", flat=True))
    for line, row in rows:
        if row["customer"] not in customers:
            errors.append(RowError(line, "customer", [
                _("No imported customer has the external id %(id)s: import the customers first.") % {"id": row["customer"]}]))
        unknown = [g for g in row["gestures"] if g not in gestures]
        if unknown:
            errors.append(RowError(line, "gestures", [
                _("Not an active gesture of this team: %(names)s.") % {"names": ", ".join(unknown)}]))
    return errors


def _customers_write(actor, team, run, rows, result) -> None:
    emails = [r["email"].lower() for _, r in rows if r["email"]]
    existing = {}
    for customer in Customer.objects.filter(team=team).annotate(email_lower=Lower("email")).filter(email_lower__in=emails).order_by("id"):
        existing.setdefault(customer.email.lower(), customer)
    errors, records = [], []
    for line, row in rows:
        match = existing.get(row["email"].lower()) if row["email"] else None
        if match is not None:
            result.matched += 1
            customer = match
        else:
            fields = {k: row[k] for k in ("name", "email", "phone", "preferred_channel") if row[k]}
            if row["language"]:
                fields["language"] = row["language"]
            try:
                with transaction.atomic():
                    customer = customer_create(actor=actor, team=team, **fields)
            except ValidationError as exc:
                errors += _service_errors(line, exc)
                continue
            result.created += 1
            if customer.email:
                existing[customer.email.lower()] = customer  # a later row with the same address is this customer
        records.append(ImportedRecord(team=team, kind=ImportKind.CUSTOMERS, external_id=row["external_id"], object_id=customer.pk, run=run))
    if errors:
        raise _Refused(errors)
    ImportedRecord.objects.bulk_create(records)


def _interactions_write(actor, team, run, rows, result) -> None:
    customers = dict(
        ImportedRecord.objects.filter(team=team, kind=ImportKind.CUSTOMERS, external_id__in={r["customer"] for _, r in rows})
        .values_list("external_id", "object_id")
    )
    gestures = dict(Gesture.objects.filter(team=team, active=True).values_list("name", "id"))
    errors, records = [], []
    earliest: dict[int, object] = defaultdict(lambda: None)
    for line, row in sorted(rows, key=lambda lr: occurred_order(lr[1])):
        customer_id = customers[row["customer"]]
        try:
            with transaction.atomic():
                interaction = interaction_log(
                    actor=actor, customer=customer_id, channel=row["channel"], occurred_at=row["occurred_at"],
                    summary=row["summary"], promise_kept=row["promise_kept"], issues=row["issues"],
                    matched_preference=row["matched_preference"], gestures=[gestures[g] for g in row["gestures"]],
                    imported=True,
                )
        except ValidationError as exc:
            errors += _service_errors(line, exc)
            continue
        result.created += 1
        first = earliest[customer_id]
        earliest[customer_id] = row["occurred_at"] if first is None or row["occurred_at"] < first else first
        records.append(ImportedRecord(team=team, kind=ImportKind.INTERACTIONS, external_id=row["external_id"], object_id=interaction.pk, run=run))
    if errors:
        raise _Refused(sorted(errors, key=lambda e: (e.row, e.field)))
    ImportedRecord.objects.bulk_create(records)
    for customer_id, since in earliest.items():  # the customers' later interactions, in the app before, too
        customer_rescore(customer_id=customer_id, team_id=team.id, since=since, cause=LevelChange.Cause.IMPORTED, actor=actor)
