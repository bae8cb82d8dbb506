import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from programs.models import FundingSource, Program
from programs.planning import plan_budget
from rentan.formatting import format_month, format_number, format_rupiah


def _month(text: str) -> datetime.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except ValueError as error:
        raise CommandError(f"Bulan harus berformat YYYY-MM: {text}") from error


class Command(BaseCommand):
    help = "Hitung jiwa dan anggaran iuran untuk mencapai target cakupan (jiwa = floor(target% × populasi))."

    def add_arguments(self, parser):
        parser.add_argument("--population", type=int, required=True, help="Semesta pekerja rentan yang layak.")
        parser.add_argument("--target", required=True, help="Target cakupan dalam persen, mis. 70 atau 48,5.")
        parser.add_argument("--year", type=int, required=True, help="Tahun anggaran.")
        parser.add_argument("--start-month", help="Bulan mulai (YYYY-MM); bawaan Januari tahun anggaran.")
        parser.add_argument("--funding", default=FundingSource.SG, choices=FundingSource.values)
        parser.add_argument("--package", default=Program.Package.JKK_JKM, choices=Program.Package.values)
        parser.add_argument("--transport", action="store_true", help="Peserta sektor transportasi (PP 50/2025).")
        parser.add_argument("--json", action="store_true", help="Keluaran JSON.")

    def handle(self, *args, **options):
        try:
            target = Decimal(options["target"].replace(",", "."))
        except InvalidOperation as error:
            raise CommandError(f"Target harus angka persen: {options['target']}") from error
        if options["population"] < 0 or not (0 <= target <= 100):
            raise CommandError("Populasi tidak boleh negatif dan target harus antara 0 dan 100 persen.")
        start = _month(options["start_month"]) if options["start_month"] else None
        if start and start.year != options["year"]:
            raise CommandError("Bulan mulai harus berada di tahun anggaran yang sama.")
        plan = plan_budget(
            population=options["population"],
            target_percent=target,
            year=options["year"],
            start_month=start,
            funding_source=options["funding"],
            package=options["package"],
            is_transport=options["transport"],
        )
        if options["json"]:
            payload = {
                "population": plan.population,
                "target_percent": str(plan.target_percent),
                "jiwa": plan.jiwa,
                "funding_source": plan.funding_source,
                "total": str(plan.total),
                "months": [
                    {"month": f"{m.month:%Y-%m}", "iuran_per_jiwa": str(m.iuran_per_jiwa), "amount": str(m.amount)}
                    for m in plan.months
                ],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(
            f"Jiwa: {format_number(plan.jiwa)} ({format_number(target, 2)}% × {format_number(plan.population)})"
        )
        for month in plan.months:
            self.stdout.write(
                f"  {format_month(month.month):<16} {format_rupiah(month.iuran_per_jiwa):>10} × "
                f"{format_number(month.jiwa)} = {format_rupiah(month.amount)}"
            )
        self.stdout.write(self.style.SUCCESS(f"Anggaran iuran: {format_rupiah(plan.total)}"))
