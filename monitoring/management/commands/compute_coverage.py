from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitoring import services
from monitoring.coverage import current_month, first_enrolment_month, parse_month
from monitoring.models import CoverageRun
from rentan.formatting import format_month, format_number


def _month(text: str):
    try:
        return parse_month(text)
    except ValueError as error:
        raise CommandError(f"Bulan harus berbentuk YYYY-MM, bukan {text!r}.") from error


class Command(BaseCommand):
    help = (
        "Hitung ringkasan cakupan (peserta aktif per wilayah di setiap tingkat) untuk satu bulan atau beberapa "
        "bulan. Tanpa pilihan: bulan ini. Menghitung ulang sebuah bulan menggantikan ringkasannya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="Satu bulan, YYYY-MM (bawaan: bulan ini).")
        parser.add_argument("--since", help="Dari bulan ini (YYYY-MM) sampai --until atau bulan ini.")
        parser.add_argument("--until", help="Bulan terakhir untuk --since/--all (YYYY-MM; bawaan: bulan ini).")
        parser.add_argument(
            "--all", action="store_true", help="Semua bulan sejak kepesertaan paling awal (isi ulang riwayat)."
        )

    def handle(self, *args, month=None, since=None, until=None, all=False, **options):
        if sum(bool(x) for x in (month, since, all)) > 1:
            raise CommandError("Pilih salah satu: --month, --since atau --all.")
        last = _month(until) if until else current_month()
        if month:
            first = last = _month(month)
        elif since:
            first = _month(since)
        elif all:
            first = first_enrolment_month()
            if first is None:
                self.stdout.write("Belum ada kepesertaan; tidak ada yang dihitung.")
                return
        else:
            first = last
        if last < first:
            raise CommandError("Bulan terakhir tidak boleh sebelum bulan pertama.")
        with transaction.atomic():
            run, created = services.coverage_run_start(
                first_month=first, last_month=last, trigger=CoverageRun.Trigger.COMMAND, enqueue=False
            )
        if not created:
            raise CommandError(f"Perhitungan lain sedang berjalan (#{run.pk}); coba lagi setelah selesai.")
        run, pages = services.coverage_run_complete(run_id=run.pk)
        if run.status != CoverageRun.Status.DONE:
            raise CommandError(run.error_message or "Perhitungan gagal.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Cakupan dihitung: {run.months_done} bulan ({format_month(first)} – {format_month(last)}), "
                f"{format_number(run.rows_written)} baris ringkasan."
            )
        )
        self.stdout.write(f"Dasbor disiapkan: {format_number(pages)} halaman.")
