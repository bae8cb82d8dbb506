"""Row-by-row checks of an uploaded list, in Python, against lookups built once per import.

The checks are the portal's rules, not a second copy of them: NIKs go through :func:`validate_nik`, the age window
comes from settings, desa must lie inside the uploader's scope (:mod:`rentan.access`).
"""

import datetime
import re
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.utils.translation import gettext as _

from participants.models import Participant, age_on
from participants.nik import validate_nik
from programs.models import Occupation, Region
from rentan.access import region_q
from rentan.formatting import format_month

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DESA_CODE = re.compile(r"^\d{2}\.?\d{2}\.?\d{2}\.?\d{4}$")
_DMY = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{2,4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[\s\-]+([a-z]+)\.?[\s\-]+(\d{4})$")
_SERIAL = re.compile(r"^\d{1,5}(?:[.,]0+)?$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_DESA_PREFIX = re.compile(r"^(desa|kelurahan|kel|ds|kampung|nagari|gampong)\b\.?\s*")
MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "pebruari": 2, "february": 2, "mar": 3,
    "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7,
    "juli": 7, "july": 7, "agu": 8, "agt": 8, "ags": 8, "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11, "nopember": 11,
    "november": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip
MALE = frozenset({"l", "lk", "laki", "lakilaki", "pria", "m", "male"})
FEMALE = frozenset({"p", "pr", "prp", "perempuan", "wanita", "w", "f", "female"})
DATA_SOURCES = {
    "p3ke": Participant.DataSource.P3KE,
    "dtks": Participant.DataSource.DTSEN,
    "dtsen": Participant.DataSource.DTSEN,
    "dtksdtsen": Participant.DataSource.DTSEN,
    "usulandesa": Participant.DataSource.USULAN_DESA,
    "desa": Participant.DataSource.USULAN_DESA,
    "lainnya": Participant.DataSource.LAINNYA,
}
# The fields a row check reads, in the order ParticipantRowChecker._fields returns them.
FIELDS = ("nik", "nama", "tanggal_lahir", "tempat_lahir", "jenis_kelamin", "alamat", "desa", "kecamatan", "pekerjaan",
          "no_hp", "data_source")  # fmt: skip
MAX_LENGTHS = {"nama": 150, "tempat_lahir": 100, "alamat": 255}
WARNINGS_KEPT = 10_000
CACHE_LIMIT = 200_000


def normalise_name(value: str) -> str:
    """``"Kel. Pagar  Dewa"`` → ``"pagar dewa"``: for matching names typed by people."""
    text = _SPACES.sub(" ", str(value).lower()).strip()
    text = _DESA_PREFIX.sub("", text)
    return _NOT_ALNUM.sub(" ", text).strip()


def normalise_key(value: str) -> str:
    return _NOT_ALNUM.sub("", str(value).lower())


def cell_text(value) -> str:
    """A cell as text: ``3.0`` → ``"3"``, dates as ``dd-mm-yyyy``, ``None`` → ``""``."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value).strip()


def parse_date(value, *, today: datetime.date) -> datetime.date | str | None:
    """A date from a cell: a real date, an Excel serial number, or text ``dd/mm/yyyy``, ``dd-mm-yyyy``,
    ``yyyy-mm-dd`` or ``15 Juni 1985``. Returns None for an empty cell and a message (str) when unusable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        found = value.date()
    elif isinstance(value, datetime.date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found = _from_serial(value)
    else:
        text = str(value).strip().lower()
        if not text:
            return None
        found = _from_text(text)
        if found is None:
            return _("tanggal %(value)s tidak dikenali; tulis sebagai dd/mm/yyyy, misalnya 15/06/1985") % {
                "value": str(value).strip()
            }
    if isinstance(found, str):
        return found
    if found is None:
        return _("tanggal %(value)s tidak dikenali") % {"value": value}
    if found > today:
        return _("tanggal %(value)s ada di masa depan") % {"value": found.strftime("%d-%m-%Y")}
    if found.year < 1900:
        return _("tahun %(year)s tidak masuk akal") % {"year": found.year}
    return found


def _from_serial(number) -> datetime.date | None:
    if not 1 <= number < 2958466:
        return None
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def _from_text(text: str) -> datetime.date | str | None:
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) != 4:
            return _("tahun pada tanggal %(value)s harus 4 digit (mis. 15/06/1985)") % {"value": text}
        return _make_date(year, month, day, text)
    match = _YMD.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, text)
    match = _D_MONTH_Y.match(text)
    if match and match.group(2) in MONTHS:
        return _make_date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)), text)
    if _SERIAL.match(text):
        return _from_serial(int(text.replace(",", ".").split(".")[0]))
    return None


def _make_date(year, month, day, text) -> datetime.date | str:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return _("tanggal %(value)s tidak ada di kalender") % {"value": text}


def parse_sex(value) -> str | None:
    key = normalise_key(cell_text(value))
    if key in MALE:
        return Participant.Sex.LAKI_LAKI
    if key in FEMALE:
        return Participant.Sex.PEREMPUAN
    return None


def normalise_phone(value) -> tuple[str, bool]:
    """``+62 812-3456-7890`` → ``081234567890``; returns the text and whether it looks like a phone number."""
    if type(value) is str and value.isdigit() and value[:1] == "0" and 9 <= len(value) <= 15:
        return value, True
    text = cell_text(value)
    digits = text if text.isdigit() else _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62") and len(digits) >= 10:
        digits = "0" + digits[2:]
    elif digits.startswith("8") and isinstance(value, int | float):
        digits = "0" + digits  # Excel dropped the leading zero of a number
    ok = digits.isdigit() and digits.startswith("0") and 9 <= len(digits) <= 15
    return (digits if ok else text[:20]), ok


@dataclass(slots=True)
class Issue:
    column: str
    code: str
    message: str


@dataclass
class Lookups:
    """Everything a row check needs from the database, loaded once per import."""

    scope_label: str
    desa_in_scope: dict[str, str]
    desa_all: frozenset[str]
    desa_by_name: dict[str, list[tuple[str, str]]]
    desa_names: dict[str, str]
    occupations: dict[str, int]
    occupation_names: list[str]
    kecamatan_codes: frozenset[str]


def build_lookups(user) -> Lookups:
    desa = Region.objects.filter(level=Region.Level.DESA)
    in_scope = list(desa.filter(region_q(user, "code")).values_list("code", "name", "parent__name"))
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, name, kecamatan in in_scope:
        by_name.setdefault(normalise_name(name), []).append((code, normalise_name(kecamatan or "")))
    occupations: dict[str, int] = {}
    ambiguous: set[str] = set()
    names = []
    for pk, code, name in Occupation.objects.values_list("pk", "code", "name"):
        names.append(name)
        occupations[normalise_key(code)] = pk
        occupations[normalise_key(name)] = pk
        # "Petani/buruh tani": "petani" and "buruh tani" alone also match, unless another category claims them.
        for part in re.split(r"[/,]", re.sub(r"\(.*?\)", "", name)):
            key = normalise_key(part)
            if not key:
                continue
            if key in occupations and occupations[key] != pk:
                ambiguous.add(key)
            occupations.setdefault(key, pk)
    for key in ambiguous:
        occupations.pop(key, None)
    return Lookups(
        scope_label=user.scope_label,
        desa_in_scope={code: code for code, _name, _kec in in_scope},
        desa_all=frozenset(desa.values_list("code", flat=True)),
        desa_by_name=by_name,
        desa_names={code: name for code, name, _kec in in_scope},
        occupations=occupations,
        occupation_names=sorted(names),
        kecamatan_codes=frozenset(Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)),
    )


@dataclass(slots=True)
class CheckedRow:
    """A row that may be written: the values in staging-table order."""

    values: tuple
    warnings: list[Issue] = field(default_factory=list)


class ParticipantRowChecker:
    """Validate rows of a participant list; call it with (line, cells) and get a CheckedRow or issues."""

    def __init__(self, *, lookups: Lookups, positions: dict[str, list[int]], labels: dict[str, str],
                 start_month: datetime.date, default_pekerjaan_id: int | None, today: datetime.date):  # fmt: skip
        self.lookups = lookups
        self.positions = positions
        self.labels = labels
        self.start_month = start_month
        self.default_pekerjaan_id = default_pekerjaan_id
        self.today = today
        self.min_age = settings.PARTICIPANT_ENROLMENT_MIN_AGE
        self.max_age = settings.PARTICIPANT_ENROLMENT_MAX_AGE
        self.seen: dict[int, int] = {}
        self._dates: dict = {}
        self._sexes: dict = {}
        self._desas: dict = {}
        self._occupations: dict = {}
        self._ages: dict[datetime.date, int] = {}
        # One C call fetches every field of a row, in FIELDS order: each field's first column, or the padding slot
        # at the end.
        self._width = max([p for positions in self.positions.values() for p in positions], default=0) + 1
        self._fetch = itemgetter(*[self.positions.get(name, [self._width])[0] for name in FIELDS])
        self._fallbacks = [
            (FIELDS.index(name), p[1:]) for name, p in self.positions.items() if len(p) > 1 and name in FIELDS
        ]

    def _fields(self, cells: list) -> tuple:
        """The row's cells in FIELDS order (a tuple: a dict per row cost ~8% of a million-row check)."""
        if len(cells) <= self._width:
            cells = [*cells, *([None] * (self._width + 1 - len(cells)))]
        values = self._fetch(cells)
        if not self._fallbacks:
            return values
        values = list(values)
        for index, positions in self._fallbacks:
            if values[index] is None or values[index] == "":
                values[index] = next((cells[p] for p in positions if cells[p] not in (None, "")), values[index])
        return tuple(values)

    def _cached(self, cache: dict, key, compute):
        """Lists repeat their dates, desa and occupations: each distinct cell is worked out once."""
        try:
            return cache[key]
        except KeyError:
            if len(cache) > CACHE_LIMIT:
                cache.clear()
            value = cache[key] = compute()
            return value
        except TypeError:  # an unhashable cell value
            return compute()

    def __call__(self, line: int, cells: list) -> CheckedRow | list[Issue]:
        (raw_nik, raw_nama, raw_birth, raw_tempat_lahir, raw_sex, raw_alamat, raw_desa, raw_kecamatan, raw_pekerjaan,
         raw_phone, raw_source) = self._fields(cells)  # fmt: skip
        label = self.labels
        errors: list[Issue] = []
        warnings: list[Issue] = []

        try:
            birth = self._dates[raw_birth]
        except (KeyError, TypeError):
            birth = self._cached(self._dates, raw_birth, lambda: parse_date(raw_birth, today=self.today))
        if type(birth) is str:
            errors.append(
                Issue(label["tanggal_lahir"], "birth_date", _("Tanggal lahir: %(reason)s.") % {"reason": birth})
            )
            birth = None
        try:
            sex = self._sexes[raw_sex]
        except (KeyError, TypeError):
            sex = self._cached(self._sexes, raw_sex, lambda: parse_sex(raw_sex))
        if sex is None and cell_text(raw_sex):
            errors.append(
                Issue(
                    label["jenis_kelamin"],
                    "sex",
                    _("Jenis kelamin %(value)s tidak dikenali; isi L atau P.") % {"value": cell_text(raw_sex)},
                )
            )

        if isinstance(raw_nik, int | float) and not isinstance(raw_nik, bool):
            raw_nik = float(raw_nik)  # a number cell: validate_nik explains that the digits are lost
        check = validate_nik(
            raw_nik,
            birth_date=birth,
            sex=sex,
            kecamatan_codes=self.lookups.kecamatan_codes,
            today=self.today,
        )
        if check.errors:
            errors += [Issue(label["nik"], issue.code, issue.message) for issue in check.errors]
        elif birth is None or sex is None:
            if birth is None and not errors:
                birth = check.birth_date
                warnings.append(
                    Issue(label["tanggal_lahir"], "birth_date_from_nik", _("Tanggal lahir kosong; diambil dari NIK."))
                )
            if sex is None and not cell_text(raw_sex):
                sex = check.sex
                warnings.append(
                    Issue(label["jenis_kelamin"], "sex_from_nik", _("Jenis kelamin kosong; diambil dari NIK."))
                )
        if check.warnings:
            warnings += [Issue(label["nik"], issue.code, issue.message) for issue in check.warnings]

        nama = cell_text(raw_nama)
        if "  " in nama or "\n" in nama or "\t" in nama:
            nama = " ".join(nama.split())
        if not nama:
            errors.append(Issue(label["nama"], "nama_empty", _("Nama kosong.")))
        tempat_lahir = cell_text(raw_tempat_lahir)
        alamat = cell_text(raw_alamat)
        if "  " in alamat or "\n" in alamat:
            alamat = " ".join(alamat.split())
        if (
            len(nama) > MAX_LENGTHS["nama"]
            or len(tempat_lahir) > MAX_LENGTHS["tempat_lahir"]
            or len(alamat) > MAX_LENGTHS["alamat"]
        ):
            errors += self._too_long(nama=nama, tempat_lahir=tempat_lahir, alamat=alamat)

        try:
            desa = self._desas[raw_desa, raw_kecamatan]
        except (KeyError, TypeError):
            desa = self._cached(self._desas, (raw_desa, raw_kecamatan), lambda: self._desa(raw_desa, raw_kecamatan))
        if type(desa) is Issue:
            errors.append(desa)
            desa = None
        try:
            pekerjaan = self._occupations[raw_pekerjaan]
        except (KeyError, TypeError):
            pekerjaan = self._cached(self._occupations, raw_pekerjaan, lambda: self._pekerjaan(raw_pekerjaan))
        if type(pekerjaan) is Issue:
            errors.append(pekerjaan)
            pekerjaan = None

        phone = None
        if raw_phone is not None and raw_phone != "":
            phone, ok = normalise_phone(raw_phone)
            if not ok:
                warnings.append(
                    Issue(
                        label["no_hp"],
                        "phone",
                        _("Nomor HP %(value)s tidak tampak seperti nomor HP; disimpan apa adanya.")
                        % {"value": cell_text(raw_phone)},
                    )
                )

        data_source = None
        if raw_source is not None and raw_source != "":
            data_source = DATA_SOURCES.get(normalise_key(cell_text(raw_source)))
            if data_source is None:
                warnings.append(
                    Issue(
                        label["data_source"],
                        "data_source",
                        _("Sumber data %(value)s tidak dikenali (P3KE, DTKS/DTSEN, usulan desa, lainnya).")
                        % {"value": cell_text(raw_source)},
                    )
                )

        if birth is not None and not errors:
            try:
                age = self._ages[birth]
            except KeyError:  # lists repeat birth dates: each one's age is worked out once
                age = self._ages[birth] = age_on(birth, self.start_month)
            if not self.min_age <= age < self.max_age:
                month = format_month(self.start_month)
                errors.append(
                    Issue(
                        label["tanggal_lahir"],
                        "age",
                        _(
                            "Umur %(age)s tahun pada %(month)s; program hanya untuk umur %(min)s sampai "
                            "di bawah %(max)s tahun."
                        )
                        % {"age": age, "month": month, "min": self.min_age, "max": self.max_age},
                    )
                )

        if errors:
            return errors
        key = int(check.nik)
        first = self.seen.get(key)
        if first is not None:
            return [
                Issue(
                    label["nik"],
                    "nik_duplicate",
                    _("NIK %(nik)s sudah ada di baris %(line)s berkas ini; baris ini tidak disimpan.")
                    % {"nik": check.nik, "line": first},
                )
            ]
        self.seen[key] = line
        return CheckedRow(
            values=(
                line,
                check.nik,
                nama,
                birth,
                tempat_lahir or None,
                sex,
                alamat or None,
                desa,
                pekerjaan,
                phone or None,
                data_source,
                bool(warnings),
            ),
            warnings=warnings,
        )

    def _too_long(self, **texts: str) -> list[Issue]:
        label = self.labels
        return [
            Issue(
                label[name],
                "too_long",
                _("%(column)s terlalu panjang (%(length)s karakter, paling banyak %(limit)s).")
                % {"column": label[name], "length": len(text), "limit": MAX_LENGTHS[name]},
            )
            for name, text in texts.items()
            if len(text) > MAX_LENGTHS[name]
        ]

    def _desa(self, raw, raw_kecamatan) -> str | Issue:
        label = self.labels["desa"]
        text = cell_text(raw)
        if not text:
            return Issue(label, "desa_empty", _("Desa/kelurahan kosong."))
        lookups = self.lookups
        compact = text.replace(" ", "")
        if _DESA_CODE.match(compact):
            digits = compact.replace(".", "")
            code = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"
            if code in lookups.desa_in_scope:
                return code
            if code in lookups.desa_all:
                return Issue(
                    label,
                    "outside_scope",
                    _("Desa/kelurahan %(code)s di luar wilayah Anda (%(scope)s); baris ini tidak disimpan.")
                    % {"code": code, "scope": lookups.scope_label},
                )
            return Issue(label, "desa_unknown", _("Kode desa/kelurahan %(code)s tidak dikenal.") % {"code": code})
        matches = lookups.desa_by_name.get(normalise_name(text), [])
        if len(matches) > 1 and raw_kecamatan not in (None, ""):
            kecamatan = normalise_name(cell_text(raw_kecamatan))
            matches = [m for m in matches if m[1] == kecamatan] or matches
        if len(matches) == 1:
            return matches[0][0]
        if not matches:
            return Issue(
                label,
                "desa_not_found",
                _(
                    "Desa/kelurahan %(name)s tidak ditemukan di wilayah Anda (%(scope)s). "
                    "Periksa ejaan atau tulis kode desanya (mis. 17.71.01.1001)."
                )
                % {"name": text, "scope": lookups.scope_label},
            )
        return Issue(
            label,
            "desa_ambiguous",
            _(
                "Ada %(count)s desa/kelurahan bernama %(name)s di wilayah Anda (kode %(codes)s); "
                "tulis kode desanya atau isi kolom Kecamatan."
            )
            % {"count": len(matches), "name": text, "codes": ", ".join(m[0] for m in matches)},
        )

    def _pekerjaan(self, raw) -> int | Issue:
        text = cell_text(raw)
        if not text:
            if self.default_pekerjaan_id is not None:
                return self.default_pekerjaan_id
            return Issue(self.labels["pekerjaan"], "pekerjaan_empty", _("Pekerjaan kosong."))
        found = self.lookups.occupations.get(normalise_key(text))
        if found is None:
            return Issue(
                self.labels["pekerjaan"],
                "pekerjaan_unknown",
                _("Pekerjaan %(value)s tidak ada di daftar kategori (%(names)s).")
                % {"value": text, "names": ", ".join(self.lookups.occupation_names)},
            )
        return found
