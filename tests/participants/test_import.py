"""List imports through the one pipeline the page, the task and the command share."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from participants import services
from participants.importing.staging import Stage
from participants.models import Enrolment, ImportBatch, ImportIssue, Participant
from tests.factories import EnrolmentFactory, ParticipantFactory
from tests.participants.conftest import HEADER, KAUR_DESA, START, person, write_csv, write_xlsx
from tests.threads import in_a_thread, wait_until_it_waits_on_a_lock

pytestmark = pytest.mark.usefixtures("regions")

# Run a test both ways the pipeline runs: the page's steps (check, then write; inside the test's transaction) and,
# on PostgreSQL, the command's pipelined write while checking (needs committed rows: a transactional test).
both_ways = pytest.mark.parametrize(
    "way",
    ["steps", pytest.param("pipelined", marks=pytest.mark.django_db(transaction=True, serialized_rollback=True))],
)


@pytest.fixture(autouse=True)
def _pipelined_needs_postgres(request):
    if getattr(request.node, "callspec", None) and request.node.callspec.params.get("way") == "pipelined":
        request.getfixturevalue("postgres")


def run_import(path, user, program, **options) -> ImportBatch:
    batch = services.import_batch_create(
        user=user,
        program=program,
        source_path=path,
        file_name=path.name,
        start_month=options.pop("start_month", START),
        enqueue=False,
        **options,
    )
    return services.import_batch_run(batch=batch)


def refused(batch) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for line, code in batch.issues.filter(severity=ImportIssue.Severity.REFUSED).values_list("line", "code"):
        found.setdefault(line, set()).add(code)
    return found


def line_of(index: int) -> int:
    """Row ``index`` of the list (0-based) sits on this line of the file: line 1 is the header."""
    return index + 2


def checked_batch(path, user, program, rows, **options) -> ImportBatch:
    """A list of ``rows`` uploaded and checked, waiting for its write (the preview's state)."""
    batch = services.import_batch_create(
        user=user,
        program=program,
        source_path=write_csv(path, rows),
        file_name=path.name,
        start_month=START,
        enqueue=False,
        **options,
    )
    return services.import_batch_validate(batch_id=batch.pk, write_report=False)


@pytest.fixture
def known_bad_list(tmp_path):
    """60 rows; the rows below are bad for the reason named, all others are good (two carry warnings)."""
    rows = [person(number) for number in range(1, 61)]
    bad = {
        3: ("nik_number", {"NIK": "1.7710E+15"}),
        7: ("birth_date", {"Tgl Lahir": "31/02/1990"}),
        11: ("outside_scope", {"Kode Desa": KAUR_DESA}),
        14: ("pekerjaan_unknown", {"Pekerjaan": "Astronot"}),
        18: ("age", {}),
        21: ("nik_format", {"NIK": "177105150685001"}),
        25: ("nama_empty", {"Nama Lengkap": "  "}),
        29: ("desa_not_found", {"Kode Desa": "Desa Atlantis"}),
        33: ("nik_serial", {}),
        37: ("sex", {"L/P": "X"}),
        41: ("nik_duplicate", {}),
    }
    for index, (_code, changes) in bad.items():
        rows[index].update(changes)
    old = person(18, birth=datetime.date(1955, 5, 5))  # 69 years old in March 2025
    rows[18].update({"NIK": old["NIK"], "Tgl Lahir": old["Tgl Lahir"], "L/P": old["L/P"]})
    rows[33]["NIK"] = rows[33]["NIK"][:12] + "0000"
    rows[41] = {**rows[2], "No": "42"}  # the same person as row 2, again
    warned = {
        5: "nik_birth_date_mismatch",
        9: "phone",
    }
    rows[5]["Tgl Lahir"] = "02/02/1980"
    rows[9]["No. HP"] = "12"
    rows[12]["Kode Desa"] = "Kandang Mas"  # desa by name, inside the uploader's region
    rows[13]["Tgl Lahir"] = 29221  # an Excel serial (1980-01-01) in a CSV: the NIK then disagrees, a warning
    path = write_csv(tmp_path / "daftar.csv", rows)
    return path, rows, {line_of(i): code for i, (code, _c) in bad.items()}, {line_of(i): c for i, c in warned.items()}


@both_ways
def test_an_import_refuses_exactly_the_bad_rows_with_their_reasons_and_stores_every_good_row(
    way, known_bad_list, disnaker_kota_bengkulu, program_kota, caplog
):
    path, rows, bad_lines, warned_lines = known_bad_list

    with caplog.at_level("INFO", logger="participants.services"):
        batch = run_import(path, disnaker_kota_bengkulu, program_kota)

    assert batch.status == ImportBatch.Status.DONE, batch.error_message
    assert ("written meanwhile" in caplog.text) == (way == "pipelined")
    assert refused(batch) == {line: {code} for line, code in bad_lines.items()}
    good = [row for i, row in enumerate(rows) if line_of(i) not in bad_lines]
    assert batch.rows_total == 60
    assert batch.rows_refused == len(bad_lines) == 11
    assert batch.rows_new == len(good) == 49
    assert batch.rows_enrolled == 49
    stored = {p.nik: p for p in Participant.objects.select_related("desa")}
    assert set(stored) == {row["NIK"] for row in good}
    for row in good:
        participant = stored[row["NIK"]]
        assert participant.nama == row["Nama Lengkap"]
        assert participant.last_import_id == batch.pk
        assert participant.desa_id.startswith("17.71.")
    assert stored[rows[12]["NIK"]].desa.name == "Kandang Mas"
    assert stored[rows[13]["NIK"]].tanggal_lahir == datetime.date(1980, 1, 1)
    assert stored[rows[9]["NIK"]].no_hp == "12"
    assert not Participant.objects.filter(desa__code__startswith="17.04.").exists()
    enrolments = Enrolment.objects.filter(program=program_kota)
    assert enrolments.count() == 49
    assert set(enrolments.values_list("start_month", flat=True)) == {START}
    warnings = set(batch.issues.filter(severity=ImportIssue.Severity.WARNING).values_list("line", "code"))
    assert {(line, code) for line, code in warned_lines.items()} <= warnings
    assert batch.rows_warned == len({line for line, _code in warnings}) >= 2


def test_the_reasons_are_in_indonesian_and_name_the_column_as_the_file_does(
    known_bad_list, disnaker_kota_bengkulu, program_kota
):
    path, _rows, _bad, _warned = known_bad_list
    batch = run_import(path, disnaker_kota_bengkulu, program_kota)

    issues = {i.code: i for i in batch.issues.filter(severity=ImportIssue.Severity.REFUSED)}
    assert issues["nik_number"].column_name == "NIK"
    assert "digitnya hilang" in issues["nik_number"].message
    assert issues["birth_date"].column_name == "Tgl Lahir"
    assert "tidak ada di kalender" in issues["birth_date"].message
    assert issues["outside_scope"].column_name == "Kode Desa"
    assert "di luar wilayah Anda (Kota Bengkulu)" in issues["outside_scope"].message
    assert "Astronot" in issues["pekerjaan_unknown"].message
    assert "Umur 69 tahun pada Maret 2025" in issues["age"].message
    assert "sudah ada di baris 4" in issues["nik_duplicate"].message


@both_ways
def test_the_error_report_holds_the_original_rows_with_line_column_and_reason(
    way, known_bad_list, disnaker_kota_bengkulu, program_kota
):
    path, rows, bad_lines, _warned = known_bad_list
    batch = run_import(path, disnaker_kota_bengkulu, program_kota)

    report = path.with_name("daftar-ditolak.xlsx")
    assert batch.error_report_path == str(report)
    sheet = load_workbook(report).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [*HEADER, "Baris", "Kolom", "Alasan penolakan"]
    assert [row[len(HEADER)] for row in values[1:]] == sorted(bad_lines)
    first = values[1]
    assert first[1] == "1.7710E+15"  # the NIK cell exactly as uploaded, as text
    assert first[len(HEADER) + 1] == "NIK"
    assert "digitnya hilang" in first[len(HEADER) + 2]
    nik_cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert all(cell.data_type == "s" for cell in nik_cells)


@both_ways
def test_reimporting_the_same_file_changes_nothing(way, known_bad_list, disnaker_kota_bengkulu, program_kota):
    path, _rows, bad_lines, _warned = known_bad_list
    first = run_import(path, disnaker_kota_bengkulu, program_kota)
    before = list(Participant.objects.order_by("nik").values())
    enrolments = list(Enrolment.objects.order_by("pk").values())

    second = run_import(path, disnaker_kota_bengkulu, program_kota)

    assert second.status == ImportBatch.Status.DONE
    assert (second.rows_new, second.rows_updated, second.rows_enrolled) == (0, 0, 0)
    assert second.rows_unchanged == first.rows_new == 49
    assert second.rows_refused == len(bad_lines)
    assert list(Participant.objects.order_by("nik").values()) == before
    assert list(Enrolment.objects.order_by("pk").values()) == enrolments


def test_a_changed_row_is_updated_and_an_empty_optional_cell_erases_nothing(
    tmp_path, disnaker_kota_bengkulu, program_kota
):
    rows = [person(number) for number in range(1, 6)]
    run_import(write_csv(tmp_path / "a.csv", rows), disnaker_kota_bengkulu, program_kota)
    rows[0]["Nama Lengkap"] = "Nama Baru"
    rows[1]["No. HP"] = ""
    rows[1]["Alamat"] = ""

    batch = run_import(write_csv(tmp_path / "b.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 1, 4)
    assert [(row["line"], row["changed"]) for row in batch.preview["updated"]] == [(2, ["nama"])]
    assert batch.preview["updated"][0]["desa"] == "Kandang"  # person(1) lives in 17.71.05.1001
    assert Participant.objects.get(nik=rows[0]["NIK"]).nama == "Nama Baru"
    kept = Participant.objects.get(nik=rows[1]["NIK"])
    assert kept.no_hp == person(2)["No. HP"]
    assert kept.alamat == person(2)["Alamat"]
    assert Participant.objects.get(nik=rows[0]["NIK"]).last_import_id == batch.pk
    assert Participant.objects.get(nik=rows[2]["NIK"]).last_import_id != batch.pk


@both_ways
def test_all_or_nothing_leaves_the_database_unchanged_on_any_bad_row(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    existing = ParticipantFactory(nik=person(1)["NIK"], nama="Nama Lama", desa_id="17.71.01.1001")
    rows = [person(number) for number in range(1, 21)]
    rows[7]["Tgl Lahir"] = "30/02/1980"
    before = list(Participant.objects.order_by("pk").values())

    batch = run_import(
        write_csv(tmp_path / "semua.csv", rows),
        disnaker_kota_bengkulu,
        program_kota,
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
    )

    assert batch.status == ImportBatch.Status.FAILED
    assert "1 baris ditolak" in batch.error_message
    assert list(Participant.objects.order_by("pk").values()) == before
    assert Participant.objects.get(pk=existing.pk).nama == "Nama Lama"
    assert not Enrolment.objects.exists()
    assert refused(batch) == {line_of(7): {"birth_date"}}
    assert not Stage(batch.pk).exists()


@both_ways
def test_all_or_nothing_writes_everything_when_every_row_is_good(way, tmp_path, disnaker_kota_bengkulu, program_kota):
    rows = [person(number) for number in range(1, 11)]
    batch = run_import(
        write_csv(tmp_path / "baik.csv", rows), disnaker_kota_bengkulu, program_kota, mode="ALL_OR_NOTHING"
    )
    assert batch.status == ImportBatch.Status.DONE
    assert Participant.objects.count() == Enrolment.objects.count() == 10


@both_ways
def test_a_kota_bengkulu_operator_cannot_import_a_row_for_kabupaten_kaur(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    kaur = person(5, desa=KAUR_DESA)
    rows = [person(1), kaur, {**person(3), "Kode Desa": "Gedung Wani"}]

    batch = run_import(write_csv(tmp_path / "kaur.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert refused(batch) == {3: {"outside_scope"}, 4: {"desa_not_found"}}
    assert list(Participant.objects.values_list("nik", flat=True)) == [rows[0]["NIK"]]
    assert not Participant.objects.filter(desa__code__startswith="17.04").exists()


@both_ways
def test_a_nik_registered_outside_the_uploaders_region_is_refused_not_moved(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    row = person(4)
    ParticipantFactory(nik=row["NIK"], desa_id=KAUR_DESA, nama="Warga Kaur")

    batch = run_import(write_csv(tmp_path / "pindah.csv", [row]), disnaker_kota_bengkulu, program_kota)

    assert refused(batch) == {2: {"registered_elsewhere"}}
    assert Participant.objects.get(nik=row["NIK"]).desa_id == KAUR_DESA


@both_ways
def test_a_nik_paid_by_another_program_is_refused_naming_it_when_visible(
    way, tmp_path, disnaker_kota_bengkulu, program_kota, program_provinsi
):
    row = person(6)
    participant = ParticipantFactory(nik=row["NIK"], desa_id=row["Kode Desa"])
    EnrolmentFactory(participant=participant, program=program_provinsi, start_month=datetime.date(2024, 1, 1))

    batch = run_import(write_csv(tmp_path / "ganda.csv", [row, person(7)]), disnaker_kota_bengkulu, program_kota)

    issue = batch.issues.get(severity=ImportIssue.Severity.REFUSED)
    assert issue.code == "other_payer"
    assert "APBD Provinsi Bengkulu (Provinsi Bengkulu)" in issue.message
    assert "Januari 2024 dan seterusnya" in issue.message
    assert not Enrolment.objects.filter(participant=participant, program=program_kota).exists()
    assert Enrolment.objects.filter(program=program_kota).count() == 1


@both_ways
def test_a_nik_paid_by_a_program_the_uploader_cannot_see_is_refused_without_naming_it(
    way, tmp_path, disnaker_kota_bengkulu, program_kota, program_kaur
):
    row = person(8)
    participant = ParticipantFactory(nik=row["NIK"], desa_id=row["Kode Desa"])
    EnrolmentFactory(participant=participant, program=program_kaur, start_month=datetime.date(2025, 1, 1))

    batch = run_import(write_csv(tmp_path / "ganda.csv", [row]), disnaker_kota_bengkulu, program_kota)

    message = batch.issues.get(code="other_payer").message
    assert "program lain di luar wilayah Anda" in message
    assert "Kaur" not in message


def test_conflicts_that_appear_after_the_preview_are_refused_when_writing(
    tmp_path, disnaker_kota_bengkulu, program_kota, program_provinsi
):
    rows = [person(number) for number in range(1, 4)]
    batch = checked_batch(tmp_path / "telat.csv", disnaker_kota_bengkulu, program_kota, rows)
    assert (batch.status, batch.rows_new, batch.rows_refused) == (ImportBatch.Status.VALIDATED, 3, 0)
    late = ParticipantFactory(nik=rows[1]["NIK"], desa_id=rows[1]["Kode Desa"])
    EnrolmentFactory(participant=late, program=program_provinsi, start_month=datetime.date(2025, 1, 1))

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    batch = services.import_batch_commit(batch_id=batch.pk, write_report=False)

    assert batch.status == ImportBatch.Status.DONE
    assert refused(batch) == {3: {"other_payer"}}
    assert (batch.rows_new, batch.rows_enrolled, batch.rows_refused) == (2, 2, 1)


def test_all_or_nothing_aborts_on_a_conflict_that_appeared_after_the_preview(
    tmp_path, disnaker_kota_bengkulu, program_kota, program_provinsi
):
    rows = [person(number) for number in range(1, 4)]
    mode = ImportBatch.Mode.ALL_OR_NOTHING
    batch = checked_batch(tmp_path / "telat.csv", disnaker_kota_bengkulu, program_kota, rows, mode=mode)
    late = ParticipantFactory(nik=rows[2]["NIK"], desa_id=rows[2]["Kode Desa"])
    EnrolmentFactory(participant=late, program=program_provinsi, start_month=datetime.date(2024, 6, 1))
    count = Participant.objects.count()

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    batch = services.import_batch_commit(batch_id=batch.pk, write_report=False)

    assert batch.status == ImportBatch.Status.FAILED
    assert Participant.objects.count() == count
    assert not Enrolment.objects.filter(program=program_kota).exists()
    assert refused(batch) == {4: {"other_payer"}}


@both_ways
def test_an_xlsx_with_title_rows_real_dates_and_a_nik_typed_as_a_number(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    rows = [person(number) for number in range(1, 6)]
    rows[0]["Tgl Lahir"] = datetime.date(1971, 2, 2)  # a real date cell (the NIK agrees)
    rows[1]["Tgl Lahir"] = datetime.datetime(1972, 3, 3)  # noqa: DTZ001 - a spreadsheet cell has no time zone
    rows[2]["NIK"] = int(rows[2]["NIK"])  # Excel keeps 15 significant digits of a number
    rows[3]["No. HP"] = 81234567890  # the leading zero was lost
    path = write_xlsx(tmp_path / "daftar.xlsx", rows, title_rows=["DAFTAR PEKERJA RENTAN", "Kota Bengkulu 2025"])

    batch = run_import(path, disnaker_kota_bengkulu, program_kota)

    assert batch.status == ImportBatch.Status.DONE, batch.error_message
    assert refused(batch) == {6: {"nik_number"}}  # two title rows, the header on line 3
    assert Participant.objects.get(nik=rows[0]["NIK"]).tanggal_lahir == datetime.date(1971, 2, 2)
    assert Participant.objects.get(nik=rows[3]["NIK"]).no_hp == "081234567890"
    sheet = load_workbook(path.with_name("daftar-ditolak.xlsx")).active
    assert [row[len(HEADER)] for row in sheet.iter_rows(min_row=2, values_only=True)] == [6]


def test_headers_are_matched_however_real_lists_spell_them(tmp_path, disnaker_kota_bengkulu, program_kota):
    header = [
        "No. KTP",
        "Nama",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Kelurahan",
        "Kecamatan",
        "Kategori",
        "HP",
        "Catatan",
    ]
    source = person(9)
    row = {
        "No. KTP": source["NIK"],
        "Nama": "Ani Contoh",
        "Tanggal Lahir": source["Tgl Lahir"].replace("/", "-"),
        "Jenis Kelamin": "Perempuan" if source["L/P"] == "P" else "Laki-laki",
        "Kelurahan": "Belakang Pondok",
        "Kecamatan": "Ratu Samban",
        "Kategori": "ojek",
        "HP": "+62 812-0000-1111",
        "Catatan": "abaikan",
    }
    path = write_csv(tmp_path / "ejaan.csv", [row], header=header, delimiter=",")

    batch = run_import(path, disnaker_kota_bengkulu, program_kota)

    assert batch.status == ImportBatch.Status.DONE, batch.error_message
    participant = Participant.objects.get()
    assert participant.desa_id == "17.71.07.1003"
    assert participant.pekerjaan.code == "ojek"
    assert participant.no_hp == "081200001111"
    assert batch.columns["ignored"] == ["Catatan"]


@both_ways
def test_a_file_without_the_required_columns_fails_with_an_explanation(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    path = write_csv(tmp_path / "salah.csv", [{"Nama": "A"}], header=["Nama", "Umur"])
    batch = run_import(path, disnaker_kota_bengkulu, program_kota)
    assert batch.status == ImportBatch.Status.FAILED
    assert "kolom wajib tidak ada (NIK, Desa/kelurahan)" in batch.error_message
    assert not Stage(batch.pk).exists()


@both_ways
def test_a_failure_while_writing_leaves_nothing_half_written_and_no_stack_trace(
    way, tmp_path, disnaker_kota_bengkulu, program_kota, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)  # several ranges of lines, written one after another
    monkeypatch.setattr(services, "PIPELINE_FIRST_CHUNK_ROWS", 2)
    write_lines, written = Stage.write_lines, []

    def disk_full_on_the_second_range(self, **kwargs):
        written.append(kwargs["low"])
        if len(written) == 2:
            raise RuntimeError("could not extend file: No space left on device")
        return write_lines(self, **kwargs)

    monkeypatch.setattr(Stage, "write_lines", disk_full_on_the_second_range)
    rows = [person(number) for number in range(1, 11)]

    batch = run_import(write_csv(tmp_path / "gagal.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert batch.status == ImportBatch.Status.FAILED
    assert "tidak ada data yang disimpan" in batch.error_message
    assert "No space" not in batch.error_message and "Traceback" not in batch.error_message
    assert len(written) == 2
    assert not Participant.objects.exists()
    assert not Enrolment.objects.exists()
    assert not Stage(batch.pk).exists()


def test_a_file_that_is_not_a_spreadsheet_fails_without_a_stack_trace(tmp_path, disnaker_kota_bengkulu, program_kota):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 bukan zip")
    batch = run_import(path, disnaker_kota_bengkulu, program_kota)
    assert batch.status == ImportBatch.Status.FAILED
    assert "bukan berkas Excel yang utuh" in batch.error_message  # refused before a reader opens it
    assert "Traceback" not in batch.error_message


def test_a_pimpinan_cannot_import(tmp_path, sekda, program_provinsi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(write_csv(tmp_path / "a.csv", [person(1)]), sekda, program_provinsi)


@both_ways
def test_the_command_prints_json_with_counts_and_each_refused_line(
    way, known_bad_list, disnaker_kota_bengkulu, program_kota, capsys
):
    path, _rows, bad_lines, _warned = known_bad_list

    call_command(
        "import_participants", str(path), "--program", program_kota.code, "--user", "disnaker-kota", "--json",
        "--start-month", "2025-03",
    )  # fmt: skip

    output = json.loads(capsys.readouterr().out)
    assert output["status"] == "DONE"
    assert output["counts"]["new"] == 49
    assert output["counts"]["refused"] == 11
    assert sorted({item["line"] for item in output["refused"]}) == sorted(bad_lines)
    assert all(item["reason"] and item["column"] for item in output["refused"])
    assert output["error_report"] == str(path.with_name("daftar-ditolak.xlsx"))
    assert path.with_name("daftar-ditolak.xlsx").exists()


@both_ways
def test_the_command_fails_loudly_in_all_or_nothing_mode(
    way, known_bad_list, disnaker_kota_bengkulu, program_kota, capsys
):
    path, _rows, _bad, _warned = known_bad_list
    with pytest.raises(CommandError, match="baris ditolak"):
        call_command(
            "import_participants", str(path), "--program", program_kota.code, "--user", "disnaker-kota",
            "--all-or-nothing", "--start-month", "2025-03",
        )  # fmt: skip
    assert not Participant.objects.exists()
    assert "Gagal" in capsys.readouterr().out


def test_the_command_refuses_a_program_outside_the_users_region(tmp_path, disnaker_kota_bengkulu, program_kaur):
    path = write_csv(tmp_path / "a.csv", [person(1)])
    with pytest.raises(CommandError, match="tidak ada di wilayah"):
        call_command("import_participants", str(path), "--program", program_kaur.code, "--user", "disnaker-kota")


def test_checked_lists_nobody_confirmed_are_dropped_after_a_while(tmp_path, disnaker_kota_bengkulu, program_kota):
    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program_kota,
        source_path=write_csv(tmp_path / "a.csv", [person(1)]),
        file_name="a.csv",
        enqueue=False,
    )
    services.import_batch_validate(batch_id=batch.pk, write_report=False)
    assert Stage(batch.pk).exists()
    later = batch.created_at + datetime.timedelta(days=3)

    assert services.import_batches_discard_stale(now=later) == 1

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "Kedaluwarsa" in batch.error_message
    assert not Stage(batch.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_writes_the_report_after_the_check_and_again_when_the_writer_refuses_more(
    postgres, known_bad_list, disnaker_kota_bengkulu, program_kota, program_provinsi
):
    """On PostgreSQL the command writes while it checks: a row refused by the database (another program pays for it)
    is found by the writer, after the report of the rows refused by the check was started."""
    path, rows, bad_lines, _warned = known_bad_list
    late_index = next(index for index in range(len(rows)) if line_of(index) not in bad_lines)
    late = ParticipantFactory(nik=rows[late_index]["NIK"], desa_id=rows[late_index]["Kode Desa"])
    EnrolmentFactory(participant=late, program=program_provinsi, start_month=datetime.date(2025, 1, 1))

    call_command(
        "import_participants", str(path), "--program", program_kota.code, "--user", "disnaker-kota", "--json",
        "--start-month", "2025-03",
    )  # fmt: skip

    sheet = load_workbook(path.with_name("daftar-ditolak.xlsx")).active
    lines = [row[len(HEADER)] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert lines == sorted([*bad_lines, line_of(late_index)])
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_refused) == (ImportBatch.Status.DONE, len(bad_lines) + 1)
    assert refused(batch)[line_of(late_index)] == {"other_payer"}


def test_the_preview_samples_rows_of_each_kind_also_beyond_the_first_lines(
    tmp_path, disnaker_kota_bengkulu, program_kota, monkeypatch
):
    from participants.importing import staging

    rows = [person(number) for number in range(1, 13)]
    run_import(write_csv(tmp_path / "a.csv", rows[9:]), disnaker_kota_bengkulu, program_kota)
    rows[11]["Nama Lengkap"] = "Nama Baru"
    monkeypatch.setattr(staging, "SAMPLE_WINDOW", 4)  # lines 2-5 first: nine new rows, nothing else

    batch = run_import(write_csv(tmp_path / "b.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert [row["line"] for row in batch.preview["new"]] == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert [row["line"] for row in batch.preview["unchanged"]] == [11, 12]
    assert [(row["line"], row["changed"]) for row in batch.preview["updated"]] == [(13, ["nama"])]


def write_while_another_writer_registers(row: dict, write) -> ImportBatch:
    """Run ``write()`` in a thread while another transaction holds ``row``'s NIK registered but uncommitted; commit
    that registration once the write waits for it on the unique key. Returns what ``write`` returned."""
    import threading

    inserted, release, outcome = threading.Event(), threading.Event(), {}

    def register():
        ParticipantFactory(nik=row["NIK"], desa_id=row["Kode Desa"], nama="Dari Impor Lain")

    def this_import():
        try:
            outcome["batch"] = write()
        finally:
            connection.close()

    other, _registered = in_a_thread(register, done=inserted, release=release)
    assert inserted.wait(30)
    writer = threading.Thread(target=this_import)
    writer.start()
    wait_until_it_waits_on_a_lock(writer, "transactionid")  # the import's insert, on the other's uncommitted NIK
    release.set()
    other.join(30)
    writer.join(60)
    return outcome["batch"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_nik_registered_by_another_writer_during_the_write_is_updated_not_a_failure(
    postgres, tmp_path, disnaker_kota_bengkulu, program_kota
):
    """Two operators import overlapping lists: the other one commits a NIK this list brings as new while this list is
    being written. The insert of that NIK fails on the unique key; the write runs once more and updates it."""
    rows = [person(number) for number in range(1, 4)]
    batch = checked_batch(tmp_path / "bersamaan.csv", disnaker_kota_bengkulu, program_kota, rows)
    assert (batch.status, batch.rows_new) == (ImportBatch.Status.VALIDATED, 3)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)

    done = write_while_another_writer_registers(
        rows[1], lambda: services.import_batch_commit(batch_id=batch.pk, write_report=False)
    )

    assert done.status == ImportBatch.Status.DONE, done.error_message
    assert (done.rows_new, done.rows_updated, done.rows_enrolled, done.rows_refused) == (2, 1, 3, 0)
    assert Participant.objects.get(nik=rows[1]["NIK"]).nama == rows[1]["Nama Lengkap"]
    assert Enrolment.objects.filter(program=program_kota).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pipelined_write_also_updates_a_nik_another_writer_registers_meanwhile(
    postgres, tmp_path, disnaker_kota_bengkulu, program_kota
):
    """The same race on the command's path: the writer, still following the check, fails on the unique key, waits
    for the end of the check, and writes the whole list again in a plain transaction."""
    rows = [person(number) for number in range(1, 4)]
    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program_kota,
        source_path=write_csv(tmp_path / "bersamaan.csv", rows),
        file_name="bersamaan.csv",
        start_month=START,
        enqueue=False,
    )

    done = write_while_another_writer_registers(rows[1], lambda: services.import_batch_run(batch=batch))

    assert done.status == ImportBatch.Status.DONE, done.error_message
    assert (done.rows_new, done.rows_updated, done.rows_enrolled, done.rows_refused) == (2, 1, 3, 0)
    assert Participant.objects.get(nik=rows[1]["NIK"]).nama == rows[1]["Nama Lengkap"]
    assert Enrolment.objects.filter(program=program_kota).count() == 3


@both_ways
def test_rows_kept_with_a_warning_are_counted_without_those_the_database_refuses(
    way, tmp_path, disnaker_kota_bengkulu, program_kota
):
    rows = [person(number) for number in range(1, 7)]
    rows[1]["No. HP"] = "12"  # a warning, and kept
    rows[4]["No. HP"] = "34"  # a warning, but registered in Kaur: refused by the database
    ParticipantFactory(nik=rows[4]["NIK"], desa_id=KAUR_DESA)

    batch = run_import(write_csv(tmp_path / "peringatan.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert batch.status == ImportBatch.Status.DONE, batch.error_message
    assert refused(batch) == {line_of(4): {"registered_elsewhere"}}
    assert (batch.rows_new, batch.rows_warned) == (5, 1)


def test_registered_nik_prefixes_spare_the_lookup_of_niks_nobody_registered_alike(postgres, django_assert_num_queries):
    """The pipelined check looks up only NIKs whose first six digits (kecamatan of registration) some registered NIK
    shares; the codes come from a skip scan of the NIK index."""
    assert Stage.registered_prefixes() == frozenset()
    first = ParticipantFactory(nik="1771011505850001")
    ParticipantFactory(nik="1771035505850002")
    ParticipantFactory(nik="1704011505850003")
    ParticipantFactory(nik="9999991505850004")

    prefixes = Stage.registered_prefixes()

    assert prefixes == {"177101", "177103", "170401", "999999"}
    with django_assert_num_queries(0):
        assert Stage.registered_ids(["1771021505850001", "1801011505850001"], prefixes) == {}
    with CaptureQueriesContext(connection) as queries:
        found = Stage.registered_ids(["1771011505850001", "1771011505850009", "1771021505850001"], prefixes)
    assert found == {first.nik: first.pk}
    looked_up = " ".join(query["sql"] for query in queries)
    assert "1771011505850009" in looked_up
    assert "1771021505850001" not in looked_up


@pytest.mark.parametrize(
    ("previous", "rows_read", "share_read", "expected"),
    [
        (10_000, 10_000, 0.01, 20_000),  # doubling at first
        (40_000, 70_000, 0.07, 50_000),  # never above CHUNK_ROWS
        (40_000, 65_000, 0.65, 17_500),  # half of the ~35.000 rows still to read
        (20_000, 95_000, 0.95, 10_000),  # never below the first chunk
        (10_000, 100, 0.0, 20_000),  # nothing known of the file's size yet
    ],
)
def test_the_pipelined_check_stages_smaller_chunks_towards_the_end_of_the_file(
    previous, rows_read, share_read, expected
):
    assert services._next_chunk_rows(previous, rows_read=rows_read, share_read=share_read) == expected


def test_marks_set_outside_the_writing_transaction_are_confirmed_by_nik(
    postgres, tmp_path, disnaker_kota_bengkulu, program_kota
):
    """The pipelined check marks registered NIKs on its own connection; the writer keeps a mark only while the
    noted participant still has that NIK (else the row is written as new, and the unique key decides)."""
    rows = [person(number) for number in range(1, 4)]
    run_import(write_csv(tmp_path / "a.csv", rows), disnaker_kota_bengkulu, program_kota)
    batch = checked_batch(tmp_path / "b.csv", disnaker_kota_bengkulu, program_kota, rows)
    stage = Stage(batch.pk)
    lines = (0, 10)
    assert stage.mark_known(lines) == 3
    Participant.objects.filter(nik=rows[0]["NIK"]).update(nik="1771050101900099")  # corrected meanwhile

    assert stage.confirm_known(lines) == 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nik FROM {stage.table} WHERE participant_id IS NULL")  # noqa: S608 - own name
        assert cursor.fetchall() == [(rows[0]["NIK"],)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pipelined_write_updates_the_few_registered_people_of_a_mostly_new_list_range_by_range(
    postgres, tmp_path, disnaker_kota_bengkulu, program_kota
):
    rows = [person(number) for number in range(1, 11)]
    run_import(write_csv(tmp_path / "a.csv", rows[:2]), disnaker_kota_bengkulu, program_kota)
    rows[0]["Nama Lengkap"] = "Nama Baru"

    batch = run_import(write_csv(tmp_path / "b.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged, batch.rows_enrolled) == (8, 1, 1, 8)
    assert Participant.objects.get(nik=rows[0]["NIK"]).nama == "Nama Baru"
    assert Enrolment.objects.filter(program=program_kota).count() == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pipelined_write_of_a_list_of_mostly_registered_people_updates_refuses_and_enrols_by_row(
    postgres, tmp_path, disnaker_kota_bengkulu, program_kota, program_provinsi
):
    rows = [person(number) for number in range(1, 11)]
    run_import(write_csv(tmp_path / "a.csv", rows[:8]), disnaker_kota_bengkulu, program_kota)
    rows[1]["Nama Lengkap"] = "Nama Baru"
    elsewhere = ParticipantFactory(nik=rows[9]["NIK"], desa_id=KAUR_DESA)

    batch = run_import(write_csv(tmp_path / "b.csv", rows), disnaker_kota_bengkulu, program_kota)

    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged, batch.rows_enrolled) == (1, 1, 7, 1)
    assert refused(batch) == {line_of(9): {"registered_elsewhere"}}
    assert Participant.objects.get(nik=rows[1]["NIK"]).nama == "Nama Baru"
    assert Participant.objects.get(pk=elsewhere.pk).desa_id == KAUR_DESA
    assert not Stage(batch.pk).exists()
