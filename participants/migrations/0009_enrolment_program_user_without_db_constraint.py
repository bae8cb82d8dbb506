"""Enrolment.program and Enrolment.created_by without database foreign keys (Django still PROTECTs both).

A list import writes one enrolment per participant, all with the import's program and user; PostgreSQL checked
each of those two foreign keys again per row at commit (deferred constraints): about 2/5 of a million-row import's
commit, for two values the import itself read from ``programs_program`` and ``rentan_user`` a moment before.
Programs and users are never deleted by the portal (deactivated instead; PROTECT stops a stray delete in Django),
so nothing is lost. Enrolment.participant keeps its constraint: those ids come from the upsert of the same file.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_enrolment_one_payer_trigger"),
        ("programs", "0010_bill_line_bill_without_row_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="enrolment",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="program",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrolments",
                to="programs.program",
            ),
        ),
    ]
