"""A named lock with an expiry in the database: one re-score at a time, on PostgreSQL and SQLite alike."""

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobLock


def lock_holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lock_acquire(*, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the lock when it is free or its holder stopped extending it; False when someone holds it."""
    now = timezone.now()
    with transaction.atomic():
        # An expired lock is taken over; two runs racing for it: the row lock lets one win.
        if JobLock.objects.filter(name=name, expires_at__lt=now).update(holder=holder, acquired_at=now, expires_at=now + ttl):
            return True
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
        except IntegrityError:
            return False
    return True


def lock_extend(*, name: str, holder: str, ttl: timedelta) -> bool:
    """Heartbeat: push the expiry out. False when the lock was taken over (this run must stop)."""
    return bool(JobLock.objects.filter(name=name, holder=holder).update(expires_at=timezone.now() + ttl))


def lock_release(*, name: str, holder: str) -> None:
    JobLock.objects.filter(name=name, holder=holder).delete()


def lock_current(*, name: str) -> JobLock | None:
    return JobLock.objects.filter(name=name, expires_at__gte=timezone.now()).first()


def lock_handover(*, name: str, holder: str, to: str) -> bool:
    """Pass a held lock to another holder name (a run whose chunks many workers commit)."""
    return bool(JobLock.objects.filter(name=name, holder=holder).update(holder=to))
