import time

from django.core.management.base import BaseCommand

from rentan.demo import DEMO_PASSWORD, ensure_demo_users, seed_demo


class Command(BaseCommand):
    help = "Isi data demo sintetis Provinsi Bengkulu (sekali saja; menjalankan ulang tidak mengubah apa pun)."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=39487, help="Jumlah peserta program provinsi.")
        parser.add_argument("--seed", type=int, default=2024, help="Benih acak (hasil selalu sama).")

    def handle(self, *args, participants, seed, **options):
        started = time.monotonic()
        result = seed_demo(province_participants=participants, seed=seed)
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Data demo dibuat: {result.participants} peserta, {result.enrolments} kepesertaan, "
                    f"{result.claims} klaim ({time.monotonic() - started:.1f} detik)."
                )
            )
        else:
            self.stdout.write("Data demo sudah ada; tidak ada yang diubah.")
        self.stdout.write(f"\nAkun demo (kata sandi, bila belum diubah: {DEMO_PASSWORD})")
        for username, role, scope in ensure_demo_users():
            self.stdout.write(f"  {username:<20} {role:<40} {scope}")
