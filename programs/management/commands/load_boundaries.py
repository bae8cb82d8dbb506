from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programs.services import BoundaryFileError, boundaries_load


class Command(BaseCommand):
    help = "Muat batas kabupaten/kota (GeoJSON) untuk peta cakupan. Batas ini indikatif, bukan batas resmi."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Berkas GeoJSON; bawaan: setelan BOUNDARIES_GEOJSON.")
        parser.add_argument("--source", default="", help="Keterangan sumber data batas wilayah.")
        parser.add_argument(
            "--if-available", action="store_true", help="Lewati tanpa galat bila berkas tidak ditemukan."
        )

    def handle(self, *args, path=None, source="", if_available=False, **options):
        path = Path(path or settings.BOUNDARIES_GEOJSON)
        if not path.is_file():
            if if_available:
                self.stdout.write(f"Berkas batas wilayah {path} tidak ada; peta akan diganti grafik batang.")
                return
            raise CommandError(f"Berkas batas wilayah tidak ditemukan: {path}")
        try:
            result = boundaries_load(path=path, source=source)
        except BoundaryFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS("Batas wilayah: {loaded} kabupaten/kota dimuat, {skipped} dilewati.".format(**result))
        )
