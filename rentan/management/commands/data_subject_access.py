import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rentan.models import User
from rentan.subject_access import report_json, report_xlsx, subject_access_report


class Command(BaseCommand):
    help = (
        "Semua data yang disimpan tentang satu NIK beserta jejak pemrosesannya (akses subjek data, UU 27/2022 "
        "Pasal 32). Permintaan ini sendiri dicatat di jejak audit."
    )

    def add_arguments(self, parser):
        parser.add_argument("nik", help="NIK 16 digit, atau - untuk membacanya dari stdin (tidak tercatat di riwayat).")
        parser.add_argument("--output", help="Berkas keluaran; tanpa ini JSON ditulis ke stdout.")
        parser.add_argument("--format", choices=["json", "xlsx"], default=None, help="Bawaan: dari akhiran berkas.")
        parser.add_argument("--user", help="Nama pengguna petugas yang menjalankan permintaan (untuk jejak audit).")
        parser.add_argument("--reason", default="", help="Dasar permintaan, misalnya nomor surat pemohon.")

    def handle(self, *args, nik, output, user, reason, **options):
        if nik == "-":
            nik = sys.stdin.readline()
        nik = nik.strip()
        if not (len(nik) == 16 and nik.isdigit()):
            raise CommandError("NIK harus 16 digit angka.")
        account = None
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Pengguna {user} tidak ditemukan.")
        fmt = options["format"] or ("xlsx" if output and output.lower().endswith(".xlsx") else "json")
        if fmt == "xlsx" and not output:
            raise CommandError("Format xlsx memerlukan --output BERKAS.")
        report = subject_access_report(nik=nik, user=account, reason=reason or "manage.py data_subject_access")
        content = report_xlsx(report) if fmt == "xlsx" else report_json(report)
        if output:
            Path(output).write_bytes(content)
            rows = sum(len(r) for r in report["data"].values())
            self.stderr.write(f"{rows} baris data dan {len(report['jejak_audit'])} kejadian audit ditulis ke {output}.")
        else:
            self.stdout.write(content.decode("utf-8"))
