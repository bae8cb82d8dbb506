from django.db import migrations, models


class Migration(migrations.Migration):
    """After the backfill in 0005: a JKK claim always names its kind, other claims never do; a participant has at
    most one death claim that is not rejected."""

    dependencies = [("claims", "0005_seed_benefit_rules")]

    operations = [
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('type', 'JKK'), models.Q(('jkk_kind', ''), _negated=True)), models.Q(models.Q(('type', 'JKK'), _negated=True), ('jkk_kind', '')), _connector='OR'), name='claim_jkk_kind_only_for_jkk'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('type', 'JKM'), ('jkk_kind', 'MENINGGAL'), _connector='OR'), models.Q(('status', 'DITOLAK'), _negated=True)), fields=('participant',), name='claim_one_death_per_participant', violation_error_message='Peserta ini sudah memiliki klaim kematian yang belum ditolak.'),
        ),
    ]
