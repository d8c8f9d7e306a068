"""Indexes that bound the weekly report's figures to the week (docs/reports.md), built concurrently on PostgreSQL."""

from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AddIndexWhileWriting


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('accounts', '0008_merge_rating_requests_and_business_hours'),
        ('interactions', '0007_merge_0006_customer_voice_0006_occasions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWhileWriting(
            model_name='interaction',
            index=models.Index(condition=models.Q(('rating_requested_at__isnull', False)), fields=['team', 'rating_requested_at'], name='interaction_asked_recent'),
        ),
    ]
