"""Which column of an uploaded list holds which field: tolerant of the headers real lists use."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(value) -> str:
    """``"No. KTP"`` → ``"noktp"``; ``"Tgl Lahir"`` → ``"tgllahir"``; ``"L/P"`` → ``"lp"``."""
    return _NOT_ALNUM.sub("", str(value or "").lower())


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    spellings: tuple[str, ...]
    required: bool = False

    @property
    def aliases(self) -> frozenset[str]:
        return frozenset(normalise_header(s) for s in self.spellings)


def _column(name, label, spellings, required=False):
    return Column(name, label, tuple(spellings), required)


PARTICIPANT_COLUMNS = [
    _column(
        "nik",
        gettext_lazy("NIK"),
        ["NIK", "No. KTP", "Nomor KTP", "No KTP", "KTP", "NIK KTP", "NIK Peserta", "Nomor Induk Kependudukan"],
        required=True,
    ),
    _column(
        "nama",
        gettext_lazy("Nama"),
        ["Nama", "Nama Lengkap", "Nama Peserta", "Nama Pekerja", "Nama Tenaga Kerja", "Nama Sesuai KTP"],
        required=True,
    ),
    _column("tanggal_lahir", gettext_lazy("Tanggal lahir"), ["Tgl Lahir", "Tanggal Lahir", "Tgl. Lahir", "Tgl Lhr"]),
    _column("tempat_lahir", gettext_lazy("Tempat lahir"), ["Tempat Lahir", "Tmp Lahir", "Tmpt Lahir", "Tempat Lhr"]),
    _column("jenis_kelamin", gettext_lazy("Jenis kelamin"), ["JK", "L/P", "Jenis Kelamin", "Kelamin", "Gender"]),
    # Code columns first: when a list has both "Kode Desa" and "Desa", the code wins and the name is the fallback.
    _column(
        "desa",
        gettext_lazy("Desa/kelurahan"),
        [
            "Kode Desa",
            "Kode Kelurahan",
            "Kode Desa/Kelurahan",
            "Kode Wilayah",
            "Kode Desa/Kel",
            "Kd Desa",
            "Desa",
            "Kelurahan",
            "Desa/Kelurahan",
            "Kelurahan/Desa",
            "Nama Desa",
            "Nama Kelurahan",
            "Desa/Kel",
        ],  # fmt: skip
        required=True,
    ),
    _column("kecamatan", gettext_lazy("Kecamatan"), ["Kecamatan", "Nama Kecamatan", "Kec"]),
    _column(
        "pekerjaan",
        gettext_lazy("Pekerjaan"),
        ["Pekerjaan", "Kode Pekerjaan", "Jenis Pekerjaan", "Kategori Pekerjaan", "Kategori", "Profesi"],
    ),
    _column(
        "no_hp",
        gettext_lazy("No HP"),
        ["No HP", "No. HP", "Nomor HP", "HP", "No Telp", "No Telepon", "Nomor Telepon", "No WA", "Telepon", "Telp"],
    ),
    _column("alamat", gettext_lazy("Alamat"), ["Alamat", "Alamat Lengkap", "Alamat Domisili"]),
    _column("data_source", gettext_lazy("Sumber data"), ["Sumber Data", "Sumber"]),
]

BPJS_REPLY_COLUMNS = [
    PARTICIPANT_COLUMNS[0],
    _column(
        "kpj",
        gettext_lazy("KPJ"),
        ["KPJ", "No KPJ", "No. KPJ", "Nomor KPJ", "Nomor Peserta", "No Peserta", "No. Kartu Peserta"],
        required=True,
    ),
    _column(
        "membership_start",
        gettext_lazy("Tanggal kepesertaan"),
        [
            "Tanggal Kepesertaan",
            "Tgl Kepesertaan",
            "TMT",
            "TMT Kepesertaan",
            "Tanggal Mulai",
            "Tgl Mulai",
            "Tanggal Terdaftar",
            "Tgl Terdaftar",
            "Tgl Daftar",
        ],  # fmt: skip
    ),
    _column("status", gettext_lazy("Status"), ["Status", "Status Kepesertaan", "Keterangan"]),
]


@dataclass
class HeaderMap:
    """Where each field sits (several columns per field in priority order) and which headers were ignored."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def describe(self, columns: list[Column]) -> dict:
        labels = {c.name: str(c.label) for c in columns}
        return {
            "mapped": {labels[name]: [self.headers[i] for i in idx] for name, idx in self.positions.items()},
            "ignored": self.ignored,
        }


def map_header(cells, columns: list[Column]) -> HeaderMap:
    """Match header cells to fields; unknown headers are listed as ignored."""
    by_alias = {alias: column for column in columns for alias in column.aliases}
    mapping = HeaderMap(headers=[str(c).strip() if c is not None else "" for c in cells])
    ranked: dict[str, list[tuple[int, int]]] = {}
    for position, cell in enumerate(cells):
        key = normalise_header(cell)
        if not key:
            continue
        column = by_alias.get(key)
        if column is None:
            mapping.ignored.append(str(cell).strip())
            continue
        ranked.setdefault(column.name, []).append((_alias_rank(key), position))
    mapping.positions = {name: [p for _, p in sorted(pairs)] for name, pairs in ranked.items()}
    return mapping


def _alias_rank(key: str) -> int:
    """Code-style headers (``kode…``, ``kd…``) come first, so a code column beats a name column."""
    return 0 if key.startswith(("kode", "kd")) else 1


def header_score(cells, columns: list[Column]) -> int:
    """How many required fields a row names: the header row is the first that names them all."""
    keys = {normalise_header(c) for c in cells}
    return sum(1 for c in columns if c.required and keys & c.aliases)


def missing_header_message(missing: list[str], columns: list[Column]) -> str:
    examples = "; ".join(f"{c.label}: {' / '.join(c.spellings[:3])}" for c in columns if c.required)
    return _(
        "Baris judul kolom tidak ditemukan atau kolom wajib tidak ada (%(missing)s). "
        "Baris pertama tabel harus berisi judul kolom, misalnya NIK, Nama, Tgl Lahir, JK, Desa, Pekerjaan. "
        "Ejaan yang dikenali — %(examples)s."
    ) % {"missing": ", ".join(missing), "examples": examples}
