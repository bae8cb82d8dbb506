"""ImportIssue.batch without an index of its own: ``import_issue_batch_line`` (batch, severity, line) starts with the
batch and serves every lookup by batch, so the second index only cost a write per issue row (a list import stores up
to a million of them). The foreign key itself stays."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0013_enrolment_checks_by_range_for_large_statements"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importissue",
            name="batch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="issues",
                to="participants.importbatch",
            ),
        ),
    ]
