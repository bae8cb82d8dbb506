"""List imports: CSV/XLSX files of participants into a program, and BPJS's reply with KPJ numbers.

One pipeline for the page, the Celery task and ``manage.py import_participants``:

1. **read** (``readers``): stream rows (``csv`` for CSV, python-calamine for XLSX), find the header row;
2. **check** (``rows``): map tolerant headers to fields and validate each row in Python against dictionaries
   built once (desa by code and by name inside the uploader's scope, occupations, kecamatan codes for
   :func:`participants.nik.validate_nik`), refusing rows with a line, a column and an Indonesian reason;
3. **stage** (``staging``): good rows go to a per-import staging table (PostgreSQL: UNLOGGED, filled with
   ``COPY``; SQLite: batched ``executemany``), where set-based SQL finds what needs the database: new / updated /
   unchanged counts, NIKs registered outside the uploader's region, and NIKs already paid by another program;
4. **commit**: one transaction of ``INSERT … SELECT … ON CONFLICT (nik) DO UPDATE … WHERE … IS DISTINCT FROM``
   and a set-based enrolment insert, chunk by chunk so the page can show progress.

Refused rows are ``ImportIssue`` rows; ``report`` writes them with the original cells to an XLSX file.
"""
