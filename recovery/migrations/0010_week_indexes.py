"""Indexes that bound the weekly report's figures to the week (docs/reports.md), built concurrently on PostgreSQL."""

from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AddIndexWhileWriting


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('accounts', '0008_merge_rating_requests_and_business_hours'),
        ('interactions', '0008_week_indexes'),
        ('recovery', '0009_merge_owners_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWhileWriting(
            model_name='recoverycase',
            index=models.Index(fields=['team', 'fix_due'], name='case_team_fix_due'),
        ),
        AddIndexWhileWriting(
            model_name='recoverycase',
            index=models.Index(condition=models.Q(('recovered_rated_at__isnull', False)), fields=['team', 'recovered_rated_at'], name='case_team_rated'),
        ),
    ]
