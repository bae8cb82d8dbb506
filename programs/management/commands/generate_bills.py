from django.core.management.base import BaseCommand, CommandError

from programs.billing import BillingUnavailable, bills_generate_month
from programs.management.commands.plan_budget import _month
from programs.models import Program
from programs.rates import IuranRuleError
from rentan.formatting import format_month, format_number, format_rupiah


class Command(BaseCommand):
    help = (
        "Buat tagihan iuran bulanan (atau koreksi untuk kepesertaan yang terlambat) untuk semua program yang berjalan "
        "pada bulan itu, atau satu program. Menjalankan dua kali tidak mengubah apa pun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="Bulan iuran, YYYY-MM.")
        parser.add_argument("--program", type=int, help="ID satu program (bawaan: semua program yang berjalan).")

    def handle(self, *args, **options):
        month = _month(options["month"])
        ids = [options["program"]] if options["program"] else None
        if ids and not Program.objects.filter(pk__in=ids).exists():
            raise CommandError(f"Program {options['program']} tidak ditemukan.")
        try:
            results = bills_generate_month(month=month, program_ids=ids)
        except IuranRuleError as error:
            raise CommandError(f"Tarif iuran tidak dapat dihitung: {error}") from error
        except BillingUnavailable as error:
            raise CommandError(str(error)) from error
        for result in results:
            if result.created:
                bill = result.bill
                self.stdout.write(
                    f"{bill.program.code}: {bill.get_kind_display()} {format_month(month)}, "
                    f"{format_number(result.lines)} jiwa, {format_rupiah(bill.amount)}, "
                    f"jatuh tempo {bill.due_date:%Y-%m-%d} ({result.seconds:.2f} dtk)"
                )
            else:
                self.stdout.write(
                    f"program {result.program_id}: tidak ada yang baru untuk {format_month(month)} "
                    f"({result.seconds:.2f} dtk)"
                )
        self.stdout.write(f"{sum(r.created for r in results)} tagihan dibuat untuk {format_month(month)}.")
