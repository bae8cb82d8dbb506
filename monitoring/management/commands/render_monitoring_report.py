from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring import services
from monitoring.coverage import parse_month
from monitoring.models import MonitoringReport
from programs.models import Region
from rentan.formatting import format_month, format_number


class Command(BaseCommand):
    help = (
        "Buat laporan rapat monitoring (PDF) satu wilayah untuk satu bulan, sebagai versi baru yang disimpan dan "
        "tampil di halaman laporan; --output juga menyalinnya ke berkas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="Kode wilayah, mis. 17 atau 17.71.")
        parser.add_argument("--month", required=True, help="Bulan laporan, YYYY-MM.")
        parser.add_argument("--output", help="Salin PDF ke berkas ini juga.")

    def handle(self, *args, region, month, output=None, **options):
        try:
            month = parse_month(month)
        except ValueError as error:
            raise CommandError(f"Bulan harus berbentuk YYYY-MM, bukan {month!r}.") from error
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"Wilayah {region!r} tidak ditemukan.")
        try:
            report, _created = services.monitoring_report_request(
                region=place, month=month, trigger=MonitoringReport.Trigger.COMMAND, enqueue=False
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        report = services.monitoring_report_render(report_id=report.pk)
        if report.status != MonitoringReport.Status.DONE:
            raise CommandError(report.error_message or f"Laporan tidak selesai (status {report.status}).")
        if output:
            with report.file.open("rb") as source:
                Path(output).write_bytes(source.read())
        self.stdout.write(
            f"Laporan {place} {format_month(month)} versi {report.version}: {report.pages} halaman, "
            f"{format_number(report.size)} byte, {format_number(report.seconds, 2)} detik"
            + (f"; disalin ke {output}" if output else "")
        )
