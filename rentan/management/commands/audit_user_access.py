import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rentan.models import AuditEvent, User


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Tanggal harus berformat YYYY-MM-DD: {text}") from error


class Command(BaseCommand):
    help = (
        "Daftar semua yang dibuka, diekspor atau diubah seorang pengguna dalam rentang waktu "
        "(untuk pemberitahuan kegagalan pelindungan data, UU 27/2022 Pasal 46)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Nama pengguna.")
        parser.add_argument("--from", dest="start", required=True, help="Tanggal awal (YYYY-MM-DD), inklusif.")
        parser.add_argument("--to", dest="end", required=True, help="Tanggal akhir (YYYY-MM-DD), inklusif.")
        parser.add_argument("--json", action="store_true", help="Keluaran JSON.")

    def handle(self, *args, user, start, end, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"Pengguna {user} tidak ditemukan.")
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(_day(start), datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(_day(end) + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        events = AuditEvent.objects.filter(user=account, at__gte=since, at__lt=until).order_by("at", "pk")
        rows = [
            {
                "at": timezone.localtime(e.at).isoformat(timespec="seconds"),
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object": e.object_repr,
                "region": e.region_code,
                "reason": e.reason,
            }
            for e in events.iterator()
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"user": user, "from": start, "to": end, "events": rows}, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['at']}  {row['action']:<8} {row['object_type']:<24} {row['object_id']:<10} "
                f"{row['region']:<14} {row['object']}"
            )
        self.stdout.write(f"{len(rows)} kejadian untuk {user} dari {start} s.d. {end}.")
