"""Authorization matrix (issue 8): every URL of the project × every role × own, foreign and missing objects.

How it is organised

- The URL resolver is walked (``routes()``); every route outside the admin must have an entry in ``POLICY`` (or
  ``EXEMPT``, with a reason; empty today: login and logout have entries too), and every entry must still exist, so
  a new URL without a policy fails ``test_every_url_has_a_policy``. The admin's own URLs (every model it
  registers, django-import-export's pages included) are one group: ``test_the_admin_site_is_for_administrators_only``
  sends every role to every admin route and expects the admin login for everyone but the administrator.
- ``POLICY[name]`` builds the *cases* of one URL for one signed-in role: the variant (own object, the same object
  of every other site, a missing one, a search or filter, an HTMX fragment, a payload naming another site's
  object), the request, and what must come back. Anonymous visitors and the inactive user (force-logged-in, still
  refused) get one GET and one POST case of every URL (of an own object) and must land on ``/masuk/``.
- The world (tests/matrix_world.py) has four sites: ``desa`` (17.71.05.1001, inside everyone's scope: "own"),
  ``kota`` (the rest of Kota Bengkulu), ``kaur`` (17.04) and ``p16`` (Kota Palembang, province 16), each with a
  program and budget, participants, enrolments, claims at every status with heirs, a document and a payment, a
  checked import with refused rows and its report, a BPJS reply, a coverage target; coverage is computed for
  July 2025. ``SCOPE`` says which sites each role may see; the rest are foreign. Programs are read one level
  wider (``PROGRAM_READ``: operators see the programs of the regions above, which enrol their people) and written
  only inside the scope (``PROGRAM_WRITE``).

The rules asserted for every case

1. Status class: ``ok`` (2xx, or a redirect that is not to the login page), ``forbidden`` (403: the role lacks the
   right), ``notfound`` (404), ``login`` (redirect to the login page). A role without the right gets 403 before
   the object is looked up ("before"), or, where the view looks the object up first ("after"), 403 for objects it
   may see and 404 for the rest, so existence never leaks either way.
2. A foreign object answers exactly like a missing one: same status and the same body (CSRF tokens and CSP nonces
   aside).
3. No response shows a foreign canary: HTML and text as they are, CSV decoded, XLSX read back with openpyxl, PDF
   text with pypdf (and its raw bytes), other downloads as bytes. A POST that redirects is followed once, so the
   message shown after it is scanned too. Values the request itself carried (a searched NIK, a posted code) are
   not counted when they come back. Dashboards and their exports, which show aggregates rather than names, are
   checked instead to name only regions inside the scope. ``test_the_scan_finds_canaries_in_every_format`` proves
   the scan is not blind.
4. Writes: a POST aimed at a foreign object (in the URL or in the payload) changes no row at all; the same POST
   aimed at an own object must change something (so the refusal is not an artefact of a bad payload). After every
   POST of every role the rows of the sites foreign to it (participants, enrolments, programs, budgets, claims,
   heirs, documents, payments, timelines, imports, targets) are compared with their state before the request.

Known problems that must not stop CI are listed in ``KNOWN_LEAKS`` (none) and ``KNOWN_WRONG_STATUSES``; each is
an xfail until fixed, then a failure until its entry is removed. The figures of the last run are written to
``test-artifacts/authorization-matrix.txt``.
"""

import csv
import io
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programs.models import Occupation
from rentan.access import region_code_in_scope
from rentan.models import AuditEvent
from tests.conftest import require
from tests.factories import nik_for
from tests.matrix_world import SITE_KEYS, TOKEN, D, World, build_world, minimal_pdf, snapshot, write_counts

ROLES = (
    "disnaker_provinsi",
    "disnaker_kota_bengkulu",
    "disnaker_desa",
    "bpjs_cabang",
    "sekda",
    "administrator",
    "anonymous",
    "inactive_user",
)
SIGNED_IN = ROLES[:6]
DISNAKER = {"disnaker_provinsi", "disnaker_kota_bengkulu", "disnaker_desa"}
EDITORS = DISNAKER | {"administrator"}  # keep participant lists and programs
CLAIM_OFFICERS = {"bpjs_cabang", "administrator"}  # verify, decide, pay
CLAIM_REPORTERS = DISNAKER | CLAIM_OFFICERS  # report claims, add heirs and documents
BPJS_REPLY = DISNAKER | CLAIM_OFFICERS
# See full NIKs (one at a time with a reason; BPJS's registration list): by role BPJS officers and administrators;
# Disnaker operators only when an administrator grants rentan.reveal_nik (none of the personas has it).
NIK_REVEALERS = {"bpjs_cabang", "administrator"}
# The uploader of each site's import batch (tests/matrix_world.py), who may download its refused rows too.
UPLOADERS = {"desa": "disnaker_desa", "kota": "disnaker_kota_bengkulu"}

# The sites each role may see; the rest are foreign. "desa" (the own site) lies inside every scope.
SCOPE = {
    "disnaker_provinsi": {"desa", "kota", "kaur"},
    "disnaker_kota_bengkulu": {"desa", "kota"},
    "disnaker_desa": {"desa"},
    "bpjs_cabang": {"desa", "kota"},  # the branch serves 17.71 and 17.09, not Kaur
    "sekda": {"desa", "kota", "kaur"},
    "administrator": set(SITE_KEYS),
}
# Programs: read also those of the regions above (they enrol the role's people), write only inside the scope.
PROGRAM_READ = {
    "disnaker_provinsi": {"desa", "kota", "kaur", "prov"},
    "disnaker_kota_bengkulu": {"desa", "kota", "prov"},
    "disnaker_desa": {"desa", "kota", "prov"},
    "bpjs_cabang": {"desa", "kota", "prov"},
    "sekda": {"desa", "kota", "kaur", "prov"},
    "administrator": {*SITE_KEYS, "prov"},
}
PROGRAM_WRITE = {
    "disnaker_provinsi": {"desa", "kota", "kaur", "prov"},
    "disnaker_kota_bengkulu": {"desa", "kota"},
    "disnaker_desa": {"desa"},
    "bpjs_cabang": set(),
    "sekda": set(),
    "administrator": {*SITE_KEYS, "prov"},
}
OTHER_SITES = ("kota", "kaur", "p16")
MISSING_PK = 987_654_321
LOGIN_PATH = "/masuk/"
ADMIN_LOGIN_PATH = "/admin/login/"
ARTIFACT = Path(settings.BASE_DIR) / "test-artifacts" / "authorization-matrix.txt"

# (url name, role, variant) → what leaked, for leaks found but not fixed yet; each one is an xfail, not a pass,
# and the test fails once the leak is gone so the entry gets removed.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {
    # Fixed: an own participant paid by a foreign program showed that program's name on the participant page,
    # the enrolment page and in a claim's eligibility text; they now say "program lain di luar wilayah Anda".
}
# (url name, role, variant) → what is wrong, for answers that leak nothing but are not what the policy says; each
# is an xfail, and the test fails once the problem is gone so the entry gets removed. (Found and fixed while the
# matrix was written: administrators got 404 on every import they had not uploaded themselves.)
KNOWN_WRONG_STATUSES: dict[tuple[str, str, str], str] = {
    # Fixed: monitoring:run_start followed an off-site "next" (open redirect), and monitoring:target_list?wilayah=
    # answered 500 (a startswith lookup on a foreign key).
}

# Routes outside the admin that the matrix does not exercise, each with its reason.
EXEMPT: dict[str, str] = {}

RESULTS: list[dict] = []
SECONDS = Counter()  # "world": building it; "matrix": the matrix and admin tests themselves


# --- the URL resolver ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    name: str | None


def routes(patterns=None, prefix="", namespace="") -> list[Route]:
    """Every URL pattern the project answers, depth first, with its full name and route."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else None
            route = prefix + str(pattern.pattern)
            found.append(Route(name or route, route, name))
    return found


def is_admin(route: Route) -> bool:
    return route.route.startswith("admin/")


# --- cases -----------------------------------------------------------------------------------------------------
@dataclass
class Case:
    variant: str
    url: str
    method: str = "GET"
    data: dict | None = None
    expect: str = "ok"  # ok | forbidden | notfound | login | refused (ok, forbidden or notfound, writing nothing)
    effect: bool | None = None  # POST: True must change a row, False must change none
    same_as: str | None = None  # must answer exactly like this variant
    shows: str | None = None  # positive control: this text must be in the body
    check: Callable | None = None  # extra check (response, content, role, world) → error text or None
    htmx: bool = False  # sent as an HTMX request (some views answer with a fragment from another template)
    json: bool = False  # POSTed as a JSON body (the API accepts nothing else)


@dataclass
class Entry:
    build: Callable[[World, str], list[Case]]
    anonymous_expect: str = "login"  # what anonymous visitors and the inactive user get (the login page: "ok")


def url(name: str, query: dict | str | None = None, **kwargs) -> str:
    path = reverse(name, kwargs=kwargs or None)
    if query:
        path += "?" + (query if isinstance(query, str) else urlencode(query))
    return path


def denied(role, allowed, denial, visible):
    """The answer a role without the right gets: 403 up front, or 404 for objects it cannot see ("after")."""
    if role in allowed:
        return None
    if denial == "after" and not visible:
        return "notfound"
    return "forbidden"


def targets(world: World, kind: str, key: str = "plain") -> list[tuple[str, str | None, dict]]:
    """(variant, site, url kwargs) for the own object, the same object of every other site, and a missing one."""
    sites = world.sites
    if kind == "program":
        missing = {"code": "program-tidak-ada"}
    elif kind == "region":
        missing = {"code": "99.99"}
    elif kind == "heir":
        missing = {"pk": sites["desa"].claims[key].pk, "heir_pk": MISSING_PK}
    elif kind == "document":
        missing = {"pk": sites["desa"].claims["diajukan"].pk, "document_pk": MISSING_PK}
    else:
        missing = {"pk": MISSING_PK}
    out = [("missing", None, missing)]  # first, so the foreign variants can be compared with it
    for site_key in SITE_KEYS:
        site = sites[site_key]
        variant = "own" if site_key == "desa" else f"site:{site_key}"
        if kind == "participant":
            kwargs = {"pk": site.participants[key].pk}
        elif kind == "program":
            kwargs = {"code": site.program.code}
        elif kind == "region":
            kwargs = {"code": site.kabkota}
        elif kind == "claim":
            kwargs = {"pk": site.claims[key].pk}
        elif kind == "heir":
            kwargs = {"pk": site.claims[key].pk, "heir_pk": site.heirs[key].pk}
        elif kind == "document":
            kwargs = {"pk": site.claims["diajukan"].pk, "document_pk": site.document.pk}
        elif kind == "batch":
            kwargs = {"pk": site.batch.pk}
        elif kind == "target":
            kwargs = {"pk": site.target.pk}
        else:
            raise ValueError(kind)
        out.append((variant, site_key, kwargs))
    if kind == "program":
        out.append(("site:prov", "prov", {"code": world.prov_program.code}))
    return out


def by_object(
    world: World,
    role: str,
    name: str,
    kind: str,
    *,
    key: str = "plain",
    visible: set | None = None,
    allowed=frozenset(SIGNED_IN),
    denial: str = "before",
    method: str = "GET",
    payload: Callable | None = None,
    query: dict | None = None,
    label: str = "",
    check: Callable | None = None,
) -> list[Case]:
    """Cases for a URL that names one object: own and in-scope ones succeed, foreign ones answer like missing."""
    visible = SCOPE[role] if visible is None else visible
    cases = []
    for variant, site, kwargs in targets(world, kind, key):
        seen = site in visible
        refusal = denied(role, allowed, denial, seen)
        expect = refusal or ("ok" if seen else "notfound")
        cases.append(
            Case(
                variant=f"{label}{variant}",
                url=url(name, query, **kwargs),
                method=method,
                data=payload(site, kwargs) if payload else None,
                expect=expect,
                effect=(expect == "ok") if method == "POST" else None,
                same_as=None if seen or variant == "missing" else f"{label}missing",
                check=check,
            )
        )
    return cases


def page(name: str, *queries, allowed=frozenset(SIGNED_IN), shows=None, check=None, **kwargs):
    """Cases for a page without an object: as it is and with each query (searches and filters)."""

    def build(world: World, role: str) -> list[Case]:
        cases = []
        for query in ("", *queries):
            query = query(world) if callable(query) else query
            label = "plain" if not query else unquote(query if isinstance(query, str) else urlencode(query))
            wanted = shows(world, query) if shows else None
            cases.append(
                Case(
                    variant=label,
                    url=url(name, query, **kwargs),
                    expect="ok" if role in allowed else "forbidden",
                    shows=wanted if role in allowed else None,
                    check=check,
                )
            )
        return cases

    return build


def foreign_searches(world: World, role: str) -> list[str]:
    """Searches that would match each other site's people: its marker, and the first 12 digits of a NIK."""
    queries = []
    for key in OTHER_SITES:
        site = world.sites[key]
        queries += [f"q={site.marker}", f"q={site.participants['plain'].nik[:12]}"]
    return queries


def own_marker(world, query) -> str | None:
    return world.sites["desa"].marker if query in ("", f"q={world.sites['desa'].marker}") else None


# --- payloads ----------------------------------------------------------------------------------------------------
def program_payload(program=None, *, owner: str = "", code: str = "") -> dict:
    data = {
        "name": "Program diubah matriks",
        "owner_region": owner or program.owner_region_id,
        "funding_source": "SG",
        "package": "JKK_JKM",
        "income_bracket": "1000000",
        "pks_number": "",
        "pks_date": "",
        "start_month": "2015-07",
        "end_month": "",
        "target_jiwa": "99",
    }
    if code:
        data["code"] = code
    return data


BUDGET = {"fiscal_year": "2026", "stage": "MURNI", "amount": "123456789", "decided_on": "2026-01-15", "note": "x"}


def participant_payload(participant=None, *, desa: str = "", nik: str = "", serial: int = 9900) -> dict:
    desa = desa or participant.desa_id
    data = {
        "nik": nik or (participant.nik if participant else nik_for(desa, D(1985, 3, 4), "L", serial)),
        "nama": "Peserta Matriks",
        "tempat_lahir": "Bengkulu",
        "tanggal_lahir": "1985-03-04",
        "jenis_kelamin": "L",
        "alamat": "Jl. Matriks No. 1",
        "desa": desa,
        "pekerjaan": Occupation.objects.get(code="nelayan").pk,
        "no_hp": "",
        "data_source": "LAINNYA",
    }
    if participant is not None:
        data["status"] = participant.status
    return data


def upload(name="daftar.csv", content=b"NIK;Nama\n1771050403850001;Contoh\n"):
    return SimpleUploadedFile(name, content, "text/csv")


def claim_payload(world: World, site: str, participant) -> dict:
    branch = {"desa": "cabang-bengkulu", "kota": "cabang-bengkulu", "kaur": "cabang-manna", "p16": "cabang-palembang"}
    return {
        "peserta": participant.pk,
        "type": "JKM",
        "jkk_kind": "",
        "incident_date": "2025-06-01",
        "incident_place": "Rumah",
        "cause": "Sakit",
        "reporter_name": "Pelapor Matriks",
        "reporter_phone": "",
        "reported_at": "",
        "branch": world.branches[branch[site]].pk,
        "medical_cost": "0",
        "homecare_cost": "0",
        "transport_land": "0",
        "transport_sea": "0",
        "transport_air": "0",
        "stmb_months": "0",
        "cacat_rate": "",
    }


# --- the policy: one builder per URL name ------------------------------------------------------------------------
def _login(world, role):
    return [Case("plain", url("login"))]


def _logout(world, role):
    return [Case("plain", url("logout"), method="POST", data={}, expect="login", effect=False)]


def _region_budget_plan(world, role):
    query = {"year": "2026", "target_percent": "70", "funding_source": "SG"}
    cases = by_object(world, role, "programs:region_budget_plan", "region", query=query)
    # The desa site's region is a desa: planning is for provinces and kab/kota only (403 once the region is found).
    next(case for case in cases if case.variant == "own").expect = "forbidden"
    return cases


def _program_create(world, role):
    cases = [Case("form", url("programs:program_create"), expect="ok" if role in EDITORS else "forbidden")]
    owners = {"desa": "17.71.05.1001", "kota": "17.71", "kaur": "17.04", "p16": "16.71", "prov": "17"}
    for site, owner in owners.items():
        allowed = site in PROGRAM_WRITE[role]
        expect = "ok" if allowed else ("refused" if role in EDITORS else "forbidden")
        cases.append(
            Case(
                f"owner:{site}",
                url("programs:program_create"),
                method="POST",
                data=program_payload(owner=owner, code=f"matriks-{site}"),
                expect=expect,
                effect=allowed,
            )
        )
    return cases


def _program_object(name, *, post):
    """A program page for editors only (403 for the others), found only among the programs the role may write."""

    def build(world, role):
        sites = {s.program.code: s for s in world.sites.values()}
        read = by_object(world, role, name, "program", visible=PROGRAM_WRITE[role], allowed=EDITORS)

        def payload(site, kwargs):
            program = sites[kwargs["code"]].program if kwargs["code"] in sites else world.prov_program
            return post(program)

        return read + by_object(
            world,
            role,
            name,
            "program",
            visible=PROGRAM_WRITE[role],
            allowed=EDITORS,
            method="POST",
            payload=payload,
            label="post:",
        )

    return build


def _program_detail(world, role):
    query = {"year": "2026", "extra_jiwa": "10", "extra_from": "2026-03"}
    cases = by_object(world, role, "programs:program_detail", "program", visible=PROGRAM_READ[role])
    what_if = by_object(
        world, role, "programs:program_detail", "program", visible=PROGRAM_READ[role], query=query, label="what-if:"
    )
    # The what-if form refreshes the burn-down chart through HTMX: a fragment from another template.
    htmx = [replace(case, variant=f"htmx:{case.variant}", htmx=True) for case in what_if]
    for case in htmx:
        case.same_as = case.same_as and f"htmx:{case.same_as}"
    return cases + htmx


# --- iuran bills and payments -----------------------------------------------------------------------------------
def _bill_and_payment(program):
    """The world's July 2025 bill of a program and the SP2D paying part of it (tests/matrix_world.py)."""
    from programs.models import Bill

    bill = Bill.objects.get(program=program, month=D(2025, 7, 1), kind=Bill.Kind.REGULAR)
    return bill, bill.payments.get()


def _program_sites(world):
    """(variant, site key, program) for every site's program and the province program, own first."""
    out = [("own" if key == "desa" else f"site:{key}", key, world.sites[key].program) for key in SITE_KEYS]
    return [*out, ("site:prov", "prov", world.prov_program)]


def _bill_child(name, *, kind, visible_map, allowed, method="GET", payload=None):
    """A URL naming a program and one of its bills or payments: in-scope ones succeed, foreign ones and another
    program's object under the role's own program answer exactly like a missing one."""

    def build(world, role):
        own = world.sites["desa"].program
        label = "post:" if method == "POST" else ""
        refusal = "forbidden" if role not in allowed else None
        own_object = _bill_and_payment(own)[0 if kind == "bill" else 1]
        cases = [
            Case(f"{label}missing", url(name, code=own.code, pk=MISSING_PK), method=method,
                 data=payload(own_object) if payload else None, expect=refusal or "notfound",
                 effect=False if method == "POST" else None)
        ]  # fmt: skip
        for variant, key, program in _program_sites(world):
            target = _bill_and_payment(program)[0 if kind == "bill" else 1]
            seen = key in visible_map[role]
            expect = refusal or ("ok" if seen else "notfound")
            cases.append(
                Case(f"{label}{variant}", url(name, code=program.code, pk=target.pk), method=method,
                     data=payload(target) if payload else None, expect=expect,
                     effect=(expect == "ok") if method == "POST" else None,
                     same_as=None if seen or refusal else f"{label}missing")
            )  # fmt: skip
            if key != "desa":
                # Another program's object under the role's own program: never found there.
                cases.append(
                    Case(f"{label}under-own:{key}", url(name, code=own.code, pk=target.pk), method=method,
                         data=payload(target) if payload else None, expect=refusal or "notfound",
                         effect=False if method == "POST" else None, same_as=None if refusal else f"{label}missing")
                )  # fmt: skip
        return cases

    return build


def _payment_payload(bill, amount="2000"):
    return {"bill": bill.pk, "paid_on": "2025-07-20", "amount": amount, "sp2d_number": "SP2D/MATRIKS",
            "kode_rekening": "5.1.02.01.01.0001", "note": ""}  # fmt: skip


def _payment_create(world, role):
    programs = {program.code: program for _variant, _key, program in _program_sites(world)}

    def payload(site, kwargs):
        program = programs.get(kwargs["code"], world.sites["desa"].program)
        return _payment_payload(_bill_and_payment(program)[0])

    cases = by_object(world, role, "programs:payment_create", "program", visible=PROGRAM_WRITE[role], allowed=EDITORS)
    cases += by_object(world, role, "programs:payment_create", "program", visible=PROGRAM_WRITE[role],
                       allowed=EDITORS, method="POST", payload=payload, label="post:")  # fmt: skip
    own = world.sites["desa"].program
    for key in OTHER_SITES:
        # A payload naming another site's bill, posted to the role's own program: refused, nothing written.
        foreign_bill = _bill_and_payment(world.sites[key].program)[0]
        cases.append(
            Case(f"bill-of:{key}", url("programs:payment_create", code=own.code), method="POST",
                 data=_payment_payload(foreign_bill), expect="refused" if role in EDITORS else "forbidden",
                 effect=False)
        )  # fmt: skip
    return cases


def _bill_generate(world, role):
    return by_object(world, role, "programs:bill_generate", "program", visible=PROGRAM_WRITE[role], allowed=EDITORS,
                     method="POST", payload=lambda site, kwargs: {"month": "2025-09"}, label="post:")  # fmt: skip


def _bill_detail(world, role):
    return _bill_child("programs:bill_detail", kind="bill", visible_map=PROGRAM_READ, allowed=SIGNED_IN)(world, role)


def _payment_edit(world, role):
    edit = {"kind": "payment", "visible_map": PROGRAM_WRITE, "allowed": EDITORS}
    cases = _bill_child("programs:payment_edit", **edit)(world, role)
    post = _bill_child(
        "programs:payment_edit", **edit, method="POST", payload=lambda p: _payment_payload(p.bill, "3000")
    )
    return cases + post(world, role)


def _payment_delete(world, role):
    return _bill_child("programs:payment_delete", kind="payment", visible_map=PROGRAM_WRITE, allowed=EDITORS,
                       method="POST", payload=lambda p: {})(world, role)  # fmt: skip


def _arrears_list(world, role):
    return by_object(world, role, "programs:arrears_list", "program", visible=PROGRAM_READ[role])


def _participant_list(world, role):
    sites = world.sites
    queries = [
        "",
        f"q={sites['desa'].marker}",
        "q=KANARI",
        "halaman=2",
        *foreign_searches(world, role),
        *(f"wilayah={sites[k].kabkota}" for k in OTHER_SITES),
        *(f"program={sites[k].program.code}" for k in OTHER_SITES),
    ]
    # Only the search for the own marker has a positive control: an administrator's first page is all canaries.
    cases = [
        Case(q or "plain", url("participants:list", q), shows=own_marker(world, q) if q else None) for q in queries
    ]
    # The HTMX fragment (the table the filters refresh) is another template: the same searches again.
    htmx = ["", f"q={sites['desa'].marker}", "halaman=2", *foreign_searches(world, role)]
    return cases + [
        Case(f"htmx:{q or 'plain'}", url("participants:list", q), htmx=True, shows=own_marker(world, q) if q else None)
        for q in htmx
    ]


def _participant_export(world, role):
    sites = world.sites
    cases = []
    for fmt in ("csv", "xlsx"):
        for query in ("", "q=KANARI", f"wilayah={sites['kaur'].kabkota}", f"program={sites['p16'].program.code}"):
            cases.append(
                Case(
                    f"{fmt}:{query or 'plain'}",
                    url("participants:export", query, fmt=fmt),
                    shows=sites["desa"].marker if not query else None,
                )
            )
    cases.append(Case("pdf", url("participants:export", fmt="pdf"), expect="notfound"))
    return cases


def _participant_create(world, role):
    editor = role in EDITORS
    cases = [Case("form", url("participants:create"), expect="ok" if editor else "forbidden")]
    for number, site in enumerate(SITE_KEYS):
        allowed = editor and site in SCOPE[role]
        desa = world.sites[site].desa
        cases.append(
            Case(
                f"desa:{site}",
                url("participants:create"),
                method="POST",
                data=participant_payload(desa=desa, serial=9900 + number),
                expect="ok" if allowed else ("refused" if editor else "forbidden"),
                effect=allowed,
            )
        )
    for site in OTHER_SITES:
        # A NIK already registered elsewhere: refused, and the message must not name a foreign participant.
        nik = world.sites[site].participants["plain"].nik
        cases.append(
            Case(
                f"nik-of:{site}",
                url("participants:create"),
                method="POST",
                data=participant_payload(desa=world.sites["desa"].desa, nik=nik),
                expect="refused" if editor else "forbidden",
                effect=False,
            )
        )
    return cases


def _participant_detail(world, role):
    cases = by_object(world, role, "participants:detail", "participant")
    # An own participant whose iuran another site's program pays: the page may say so, but not name a program the
    # role may not read.
    moved = world.sites["desa"].participants["pindahan"]
    return [*cases, Case("paid-from-kaur", url("participants:detail", pk=moved.pk))]


def _participant_edit(world, role):
    people = {s.participants["plain"].pk: s.participants["plain"] for s in world.sites.values()}

    def payload(site, kwargs):
        participant = people.get(kwargs["pk"])
        return participant_payload(participant) if participant else participant_payload(desa="17.71.05.1001")

    cases = by_object(world, role, "participants:edit", "participant", allowed=EDITORS)
    cases += by_object(world, role, "participants:edit", "participant", allowed=EDITORS, method="POST",
                       payload=payload, label="post:")  # fmt: skip
    own = world.sites["desa"].participants["plain"]
    for site in OTHER_SITES:
        # Moving an own participant into another site's desa: only inside the scope.
        allowed = role in EDITORS and site in SCOPE[role]
        cases.append(
            Case(
                f"move-to:{site}",
                url("participants:edit", pk=own.pk),
                method="POST",
                data=participant_payload(own, desa=world.sites[site].desa),
                expect="ok" if allowed else ("refused" if role in EDITORS else "forbidden"),
                effect=allowed,
            )
        )
    return cases


def _reveal_nik(world, role):
    """The full NIK of one participant, for a reason: refused (403) up front to roles without the right, 404 for
    participants outside the scope; it writes only an audit row ("reveal"), which the check looks for."""
    people = {s.participants["plain"].pk: s.participants["plain"] for s in world.sites.values()}

    def revealed(response, content, role, world):
        pk = int(response.request["PATH_INFO"].rstrip("/").split("/")[-2])
        nik = people[pk].nik
        if nik.encode() not in content:
            return "the full NIK is not shown"
        if not AuditEvent.objects.filter(action="reveal", object_id=str(pk), reason__startswith="Verifikasi").exists():
            return "the reveal was not audited"
        return None

    cases = by_object(world, role, "participants:reveal_nik", "participant", allowed=NIK_REVEALERS, method="POST",
                      payload=lambda site, kwargs: {"reason": "Verifikasi KTP untuk klaim matriks"},
                      check=revealed)  # fmt: skip
    for case in cases:
        case.effect = None if case.expect == "ok" else False  # an audit row is its only write
    short = Case("reason-too-short", url("participants:reveal_nik", pk=world.sites["desa"].participants["plain"].pk),
                 method="POST", data={"reason": "cek"}, expect="ok" if role in NIK_REVEALERS else "forbidden",
                 effect=False)  # fmt: skip
    return [*cases, short]


def _import_report(world, role):
    """Refused rows come back as uploaded (full NIKs): for the uploader and NIK revealers; the others who see the
    batch get 403, and a batch outside the scope answers like a missing one."""
    cases = []
    for variant, site, kwargs in targets(world, "batch"):
        seen = site in SCOPE[role]
        allowed = role in NIK_REVEALERS or UPLOADERS.get(site) == role
        expect = ("ok" if allowed else "forbidden") if seen else "notfound"
        same_as = None if seen or variant == "missing" else "missing"
        cases.append(Case(variant, url("participants:import_report", **kwargs), expect=expect, same_as=same_as))
    return cases


def _participant_enrol(world, role):
    own_program = world.sites["desa"].program

    def payload(site, kwargs):
        return {"program": own_program.pk, "start_month": "2025-07", "end_month": ""}

    cases = by_object(world, role, "participants:enrol", "participant", key="free", allowed=EDITORS, method="POST",
                      payload=payload)  # fmt: skip
    free = world.sites["desa"].participants["free"]
    # Enrolling an own participant whom Kaur's program already pays: refused (one payer per month), and the
    # message must not name Kaur's program to a role that may not read it.
    moved = world.sites["desa"].participants["pindahan"]
    cases.append(
        Case(
            "paid-from-kaur",
            url("participants:enrol", pk=moved.pk),
            method="POST",
            data={"program": own_program.pk, "start_month": "2025-07", "end_month": ""},
            expect="refused" if role in EDITORS else "forbidden",
            effect=False,
        )
    )
    programs = {key: world.sites[key].program for key in OTHER_SITES} | {"prov": world.prov_program}
    for site, program in programs.items():
        allowed = role in EDITORS and site in PROGRAM_READ[role]
        cases.append(
            Case(
                f"program:{site}",
                url("participants:enrol", pk=free.pk),
                method="POST",
                data={"program": program.pk, "start_month": "2025-07", "end_month": ""},
                expect="ok" if allowed else ("refused" if role in EDITORS else "forbidden"),
                effect=allowed,
            )
        )
    return cases


def _program_payload_writes(name, data, allowed_roles, world, role):
    """POSTs that name a program in the payload (imports, BPJS replies): only programs the role may read."""
    programs = {key: world.sites[key].program for key in SITE_KEYS} | {"prov": world.prov_program}
    cases = []
    for site, program in programs.items():
        allowed = role in allowed_roles and site in PROGRAM_READ[role]
        cases.append(
            Case(
                f"program:{site}",
                url(name),
                method="POST",
                data=data(program),
                expect="ok" if allowed else ("refused" if role in allowed_roles else "forbidden"),
                effect=allowed,
            )
        )
    return cases


def _import_list(world, role):
    expect = "ok" if role in EDITORS else "forbidden"
    cases = [Case("plain", url("participants:import_list"), expect=expect), Case("halaman=2", url(
        "participants:import_list", "halaman=2"), expect=expect)]  # fmt: skip

    def data(program):
        return {"file": upload(), "program": program.pk, "start_month": "", "mode": "SKIP_BAD_ROWS",
                "default_pekerjaan": "", "data_source": "LAINNYA"}  # fmt: skip

    return cases + _program_payload_writes("participants:import_list", data, EDITORS, world, role)


def _bpjs_reply(world, role):
    cases = [Case("plain", url("participants:bpjs_reply"), expect="ok" if role in BPJS_REPLY else "forbidden")]
    return cases + _program_payload_writes(
        "participants:bpjs_reply",
        lambda program: {"file": upload("balasan.csv"), "program": program.pk},
        BPJS_REPLY,
        world,
        role,
    )


def _claim_summary_in_scope(response, content, role, world):
    region = response.context["region"] if response.context and "region" in response.context else None
    user = world.users[role]
    if region is not None and not region_code_in_scope(user, region.code):
        return f"the summary shows region {region.code}, outside the user's scope"
    return None


def _claim_create(world, role):
    allowed = role in CLAIM_REPORTERS
    sites = world.sites
    gets = ["", "q=KANARI", *foreign_searches(world, role)]
    cases = [
        Case(
            q or "search",
            url("claims:create", q),
            expect="ok" if allowed else "forbidden",
            shows=None,
        )
        for q in gets
    ]
    cases.append(
        Case(f"q={sites['desa'].marker}", url("claims:create", f"q={sites['desa'].marker}"),
             expect="ok" if allowed else "forbidden", shows=sites["desa"].marker if allowed else None)
    )  # fmt: skip
    for variant, site, kwargs in targets(world, "participant", "free"):
        seen = site in SCOPE[role]
        refusal = None if allowed else "forbidden"
        participant = sites[site].participants["free"] if site else None
        form_url = url("claims:create", f"peserta={kwargs['pk']}")
        cases.append(
            Case(
                f"form:{variant}",
                form_url,
                expect=refusal or ("ok" if seen else "notfound"),
                same_as=None if seen or not site else "form:missing",
            )
        )
        data = claim_payload(world, site or "desa", participant or sites["desa"].participants["free"])
        data["peserta"] = kwargs["pk"]
        expect = refusal or ("ok" if seen else "notfound")
        cases.append(
            Case(
                f"post:{variant}",
                url("claims:create"),
                method="POST",
                data=data,
                expect=expect,
                effect=expect == "ok",
                same_as=None if seen or not site else "post:missing",
            )
        )
    return cases


ACTIONS = {
    # url name: (the status key of the claim it applies to, payload)
    "claims:verify": ("diajukan", lambda claim, heir: {"note": "Diperiksa"}),
    "claims:mark_incomplete": ("verifikasi", lambda claim, heir: {"note": ""}),
    "claims:mark_complete": ("verifikasi_lengkap", lambda claim, heir: {"note": "", "on": ""}),
    "claims:approve": ("lengkap", lambda claim, heir: {"note": "Sesuai"}),
    "claims:reject": ("diajukan", lambda claim, heir: {"reason": "Tidak memenuhi syarat"}),
    "claims:pay": (
        "disetujui",
        lambda claim, heir: {
            "paid_on": timezone.localdate().isoformat(),
            "reference": "TRX-MATRIKS",
            "recipient": heir.pk if heir else "",
            "bank_name": "",
            "bank_account": "",
        },
    ),
}


def _claim_action(name):
    key, make = ACTIONS[name]

    def build(world, role):
        heirs = {s.claims[key].pk: s.heirs[key] for s in world.sites.values()}
        cases = by_object(
            world,
            role,
            name,
            "claim",
            key=key,
            allowed=CLAIM_OFFICERS,
            method="POST",
            payload=lambda site, kwargs: make(None, heirs.get(kwargs["pk"])),
        )
        if name == "claims:pay":
            own = world.sites["desa"].claims[key]
            for site in OTHER_SITES:
                # Paying an own claim to another claim's heir (an id from elsewhere in the payload).
                cases.append(
                    Case(
                        f"recipient:{site}",
                        url(name, pk=own.pk),
                        method="POST",
                        data=make(own, world.sites[site].heirs[key]),
                        expect="refused" if role in CLAIM_OFFICERS else "forbidden",
                        effect=False,
                    )
                )
        return cases

    return build


def _heir_add(world, role):
    born = D(2010, 1, 1)
    data = {
        "nama": "Anak Matriks",
        "nik": nik_for("17.71.05.1001", born, "L", 9950),
        "relationship": "ANAK",
        "tanggal_lahir": born.isoformat(),
        "school_level": "SMP",
        "bank_name": "",
        "bank_account": "",
        "phone": "",
    }
    return by_object(world, role, "claims:heir_add", "claim", key="diajukan", allowed=CLAIM_REPORTERS,
                     denial="after", method="POST", payload=lambda site, kwargs: dict(data))  # fmt: skip


def _heir_remove(world, role):
    cases = by_object(world, role, "claims:heir_remove", "heir", key="diajukan", allowed=CLAIM_REPORTERS,
                      denial="after", method="POST", payload=lambda site, kwargs: {})  # fmt: skip
    own = world.sites["desa"].claims["diajukan"]
    for site in OTHER_SITES:
        # An own claim with another site's heir id: the heir must belong to the claim.
        cases.append(
            Case(
                f"mixed:{site}",
                url("claims:heir_remove", pk=own.pk, heir_pk=world.sites[site].heirs["diajukan"].pk),
                method="POST",
                data={},
                expect="notfound",
                effect=False,
                same_as="missing",
            )
        )
    return cases


def _document_upload(world, role):
    def payload(site, kwargs):
        return {"kind": "KARTU_KELUARGA", "file": SimpleUploadedFile("kk.pdf", minimal_pdf("Kartu keluarga"))}

    return by_object(world, role, "claims:document_upload", "claim", key="diajukan", allowed=CLAIM_REPORTERS,
                     denial="after", method="POST", payload=payload)  # fmt: skip


def _document_download(world, role):
    cases = by_object(world, role, "claims:document_download", "document")
    own = world.sites["desa"].claims["diajukan"]
    for site in OTHER_SITES:
        cases.append(
            Case(
                f"mixed:{site}",
                url("claims:document_download", pk=own.pk, document_pk=world.sites[site].document.pk),
                expect="notfound",
                same_as="missing",
            )
        )
    return cases


def _claim_detail(world, role):
    # The claim of an own participant whom Kaur's program pays: its eligibility may not name that program.
    cases = [Case("paid-from-kaur", url("claims:detail", pk=world.sites["desa"].claims["pindahan"].pk))]
    for key in ("diajukan", "verifikasi", "verifikasi_lengkap", "lengkap", "disetujui", "dibayar", "ditolak"):
        for case in by_object(world, role, "claims:detail", "claim", key=key, label=f"{key}:"):
            if case.variant.startswith(f"{key}:own") or key in ("diajukan", "dibayar"):
                cases.append(case)
    return cases


def _claim_lists(name):
    def build(world, role):
        sites = world.sites
        queries = ["", "status=DIAJUKAN", "jenis=JKM", "terlambat=1", "halaman=2"]
        queries += [f"wilayah={sites[k].kabkota}" for k in OTHER_SITES]
        queries += [f"cabang={branch.pk}" for branch in world.branches.values()]
        return [Case(q or "plain", url(name, q)) for q in queries]

    return build


def _claim_summary(world, role):
    queries = [""] + [f"region={world.sites[k].kabkota}&month=2025-02" for k in SITE_KEYS]
    return [Case(q or "plain", url("claims:summary", q), check=_claim_summary_in_scope) for q in queries]


def _program_list_shows(world, query):
    marker = world.sites["desa"].program_marker
    return marker if query in ("", "q=PROGRAM", f"q={marker}") else None


# --- monitoring ----------------------------------------------------------------------------------------------------
DASHBOARD_LINK = re.compile(r"/dasbor/wilayah/([0-9.]+)/")


def _dashboard_in_scope(response, content, role, world):
    """Every region the dashboard links to (table, chart, map, breadcrumb) lies inside the scope: its figures are
    aggregates that leak no canary by name, and are cached as rendered HTML, so the page itself is read."""
    user = world.users[role]
    codes = set(DASHBOARD_LINK.findall(content.decode("utf-8", "replace")))
    outside = sorted(code for code in codes if not region_code_in_scope(user, code))
    return f"the dashboard shows regions outside the scope: {outside}" if outside else None


def _export_in_scope(response, content, role, world):
    """Every region code in the dashboard export (first column) lies inside the scope."""
    if not content.startswith(b"PK"):
        return None
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    codes = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True) if row and row[0]]
    workbook.close()
    user = world.users[role]
    outside = sorted({str(code) for code in codes if not region_code_in_scope(user, str(code))})
    return f"the export has regions outside the scope: {outside}" if outside else None


def _local_redirect(response, content, role, world):
    location = response.get("Location", "")
    if urlsplit(location).netloc not in ("", "testserver"):
        return f"redirects off-site to {location} (the POSTed 'next' is not checked)"
    return None


def _dashboard(world, role):
    programs = [world.sites[k].program.code for k in OTHER_SITES] + [world.prov_program.code]
    queries = ["", "ukuran=rentan", "bulan=2025-07", "sumber=SG", *(f"program={code}" for code in programs)]
    return [
        Case(
            q or "plain",
            url("monitoring:dashboard", q),
            check=_dashboard_in_scope,
            shows=world.prov_program.name if not q else None,
        )
        for q in queries
    ]


def _dashboard_region(world, role):
    cases = by_object(world, role, "monitoring:dashboard_region", "region", check=_dashboard_in_scope)
    own = world.sites["desa"].kabkota
    for key in OTHER_SITES:
        # A foreign program as a filter on an own region: dropped, never shown.
        query = f"program={world.sites[key].program.code}"
        cases.append(Case(query, url("monitoring:dashboard_region", query, code=own), check=_dashboard_in_scope))
    return cases


def _export(world, role):
    programs = [world.sites[k].program.code for k in OTHER_SITES]
    queries = ["", "ukuran=rentan", *(f"program={code}" for code in programs)]
    return [Case(q or "plain", url("monitoring:export", q), check=_export_in_scope) for q in queries]


def _run_start(world, role):
    allowed = role in EDITORS
    expect = "ok" if allowed else "forbidden"
    return [
        Case("plain", url("monitoring:run_start"), method="POST", data={"month": "2025-08"}, expect=expect,
             effect=allowed),
        Case("htmx", url("monitoring:run_start"), method="POST", data={"month": "2025-08"}, expect=expect,
             effect=allowed, htmx=True),
        Case("next=off-site", url("monitoring:run_start"), method="POST",
             data={"month": "2025-08", "next": "https://contoh.invalid/"}, expect=expect, effect=allowed,
             check=_local_redirect),
    ]  # fmt: skip


def _run_status(world, role):
    # A run holds months and counts, no regional data: every signed-in role may follow it; there is no foreign one.
    return [
        Case("missing", url("monitoring:run_status", pk=MISSING_PK), expect="notfound"),
        Case("own", url("monitoring:run_status", pk=world.coverage_run.pk)),
    ]


def target_payload(region: str, *, year: str = "2026", indicator: str = "TARGET_JIWA_RENTAN") -> dict:
    return {"region": region, "year": year, "indicator": indicator, "value": "10", "source": "PEMDA", "note": "x"}


def _target_create(world, role):
    editor = role in EDITORS
    cases = [Case("form", url("monitoring:target_create"), expect="ok" if editor else "forbidden")]
    for key in SITE_KEYS:
        allowed = editor and key in SCOPE[role]
        cases.append(
            Case(
                f"region:{key}",
                url("monitoring:target_create"),
                method="POST",
                data=target_payload(world.sites[key].kabkota),
                expect="ok" if allowed else ("refused" if editor else "forbidden"),
                effect=allowed,
            )
        )
    return cases


def _target_edit(world, role):
    targets = {site.target.pk: site.target for site in world.sites.values()}

    def payload(site, kwargs):
        target = targets.get(kwargs["pk"])
        region = target.region_id if target else world.sites["desa"].kabkota
        return target_payload(region, year="2025", indicator="SEMESTA_RENTAN") | {"value": "2000"}

    cases = by_object(world, role, "monitoring:target_edit", "target", allowed=EDITORS)
    cases += by_object(world, role, "monitoring:target_edit", "target", allowed=EDITORS, method="POST",
                       payload=payload, label="post:")  # fmt: skip
    own = world.sites["desa"].target
    for key in OTHER_SITES:
        # Moving an own target to another site's region: only inside the scope.
        allowed = role in EDITORS and key in SCOPE[role]
        cases.append(
            Case(
                f"move-to:{key}",
                url("monitoring:target_edit", pk=own.pk),
                method="POST",
                data=target_payload(world.sites[key].kabkota),
                expect="ok" if allowed else ("refused" if role in EDITORS else "forbidden"),
                effect=allowed,
            )
        )
    return cases


def _target_import(world, role):
    editor = role in EDITORS
    cases = [Case("form", url("monitoring:target_import"), expect="ok" if editor else "forbidden")]
    for key in SITE_KEYS:
        allowed = editor and key in SCOPE[role]
        header = "kode_wilayah;tahun;indikator;nilai;sumber;keterangan"
        content = f"{header}\n{world.sites[key].kabkota};2026;PENDUDUK_BEKERJA;500;BPS;x\n"
        cases.append(
            Case(
                f"region:{key}",
                url("monitoring:target_import"),
                method="POST",
                data={"file": upload("target.csv", content.encode())},
                expect="ok" if allowed else ("refused" if editor else "forbidden"),
                effect=allowed,
            )
        )
    return cases


# --- monthly reports --------------------------------------------------------------------------------------------
REPORT_MONTH = "2025-07"  # the month the world's coverage is computed for
REPORT_LINK = re.compile(r"/dasbor/laporan/wilayah/([0-9.]+)/")


def _reports(world: World) -> dict:
    """One finished report and one meeting note per site, made once per module inside the world's transaction."""
    from monitoring import services as monitoring_services
    from monitoring.models import MonitoringReport, ReportNote
    from programs.models import Region

    made = getattr(world, "monitoring_reports", None)
    # Made inside a test's transaction, they are gone after its rollback: make them again for the next test.
    if made is not None and MonitoringReport.objects.filter(pk__in=[r.pk for r, _n in made.values()]).count() == len(
        made
    ):
        return made

    made = {}
    for key in SITE_KEYS:
        site = world.sites[key]
        region = Region.objects.get(code=site.kabkota)
        report, _created = monitoring_services.monitoring_report_request(
            region=region, month=D(2025, 7, 1), trigger=MonitoringReport.Trigger.COMMAND, enqueue=False
        )
        report = monitoring_services.monitoring_report_render(report_id=report.pk)
        assert report.status == MonitoringReport.Status.DONE, report.error_message
        note = ReportNote.objects.create(
            region=region, month=D(2025, 7, 1), text=site.text(f"Catatan rapat {site.marker}"),
            author=world.users["administrator"],
        )  # fmt: skip
        made[key] = (report, note)
    world.monitoring_reports = made
    return made


def _report_index_in_scope(response, content, role, world):
    """Every region the report index links to lies inside the scope."""
    user = world.users[role]
    codes = set(REPORT_LINK.findall(content.decode("utf-8", "replace")))
    outside = sorted(code for code in codes if not region_code_in_scope(user, code))
    return f"the report index lists regions outside the scope: {outside}" if outside else None


def _report_object(name: str, index: int, *, allowed=frozenset(SIGNED_IN), method="GET", data=None):
    """Cases for a report (index 0) or note (index 1) URL: own and in-scope succeed, foreign ones like missing."""

    def build(world, role):
        objects = _reports(world)
        cases = [Case("missing", url(name, pk=MISSING_PK), method=method, data=data, expect="notfound",
                      effect=False if method == "POST" else None)]  # fmt: skip
        for key in SITE_KEYS:
            seen = key in SCOPE[role]
            expect = denied(role, allowed, "after", seen) or ("ok" if seen else "notfound")
            cases.append(
                Case(
                    "own" if key == "desa" else f"site:{key}",
                    url(name, pk=objects[key][index].pk),
                    method=method,
                    data=data,
                    expect=expect,
                    effect=(expect == "ok") if method == "POST" else None,
                    same_as=None if seen else "missing",
                )
            )
        return cases

    return build


def _report_note_edit(world, role):
    get = _report_object("monitoring:report_note_edit", 1, allowed=EDITORS)(world, role)
    post = _report_object("monitoring:report_note_edit", 1, allowed=EDITORS, method="POST",
                          data={"kind": "REKOMENDASI", "text": "Catatan diubah"})(world, role)  # fmt: skip
    return get + [replace(case, variant=f"post:{case.variant}",
                          same_as=case.same_as and f"post:{case.same_as}") for case in post]  # fmt: skip


def _report_region_post(name: str, payload: dict):
    def build(world, role):
        _reports(world)
        return by_object(world, role, name, "region", allowed=EDITORS, denial="after", method="POST",
                         payload=lambda site, kwargs: payload)  # fmt: skip

    return build


# --- api ---------------------------------------------------------------------------------------------------------
# The JSON API answers 401 (not a login redirect) to anonymous visitors and inactive users, and is posted to as JSON.
API_REGION_KEYS = ("region", "desa", "code")


def _api_regions_in_scope(response, content, role, world):
    """Every region a coverage answer reports figures for (``region``, a child's ``code``) lies inside the scope."""
    import json

    from programs.models import REGION_CODE_PATTERN

    user = world.users[role]
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in API_REGION_KEYS and isinstance(item, str) and re.fullmatch(REGION_CODE_PATTERN, item):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(content or b"null"))
    outside = sorted(code for code in found if not region_code_in_scope(user, code))
    return f"the answer reports regions outside the scope: {outside}" if outside else None


def _api_gets(name, *queries, check=None):
    """GET cases of an API list: as it is and with each filter (most of them aimed at other sites)."""

    def build(world, role):
        cases = []
        for query in ("", *queries):
            query = query(world) if callable(query) else query
            label = "plain" if not query else unquote(query)
            cases.append(Case(label, url(name, query), check=check))
        return cases

    return build


def _api_sites(make):
    """One query per other site (and the province program), built from the site."""
    return [lambda w, k=k: make(w, w.sites[k]) for k in OTHER_SITES]


def _api_object(name, kind, *, key="plain", visible_of=None, check=None):
    return lambda w, r: by_object(w, r, name, kind, key=key, check=check, visible=visible_of(r) if visible_of else None)


def _api_claim_action(world, role):
    payload = {"action": "verify", "note": "Diperiksa matriks"}
    cases = by_object(world, role, "api:claim_action", "claim", key="diajukan", allowed=CLAIM_OFFICERS,
                      method="POST", payload=lambda site, kwargs: dict(payload))  # fmt: skip
    return [replace(case, json=True) for case in cases]


def _api_bpjs_replies(world, role):
    nik = world.sites["desa"].participants["plain"].nik
    cases = _program_payload_writes(
        "api:bpjs_replies",
        lambda program: {"program": program.code, "rows": [{"nik": nik, "kpj": "12345678901"}]},
        BPJS_REPLY,
        world,
        role,
    )
    return [replace(case, json=True) for case in cases]


def _api_participant_search(world, role):
    """A NIK search (POSTed: no NIK in URLs) for every site's person, whole and by its first 12 digits."""
    cases = []
    for key in SITE_KEYS:
        site = world.sites[key]
        nik = site.participants["plain"].nik
        for label, text in ((f"nik:{key}", nik), (f"prefix:{key}", nik[:12])):
            cases.append(
                Case(
                    label,
                    url("api:participant_search"),
                    method="POST",
                    json=True,
                    data={"nik": text},
                    effect=False,
                    shows=site.marker if key == "desa" and "desa" in SCOPE.get(role, set()) else None,
                )
            )
    return cases


def _api_simulation(world, role):
    incident = {"type": "JKM", "incident_date": "2025-06-01"}
    cases = [Case("missing", url("api:benefit_simulation"), method="POST", json=True, expect="notfound",
                  effect=False, data={"nik": "1771059999999999", "incident": incident})]  # fmt: skip
    for key in SITE_KEYS:
        seen = key in SCOPE[role]
        cases.append(
            Case(
                "own" if key == "desa" else f"site:{key}",
                url("api:benefit_simulation"),
                method="POST",
                json=True,
                data={"nik": world.sites[key].participants["plain"].nik, "incident": incident},
                expect="ok" if seen else "notfound",
                effect=False,
                same_as=None if seen else "missing",
            )
        )
    return cases


def _api_token_list(world, role):
    return [
        Case("plain", url("api:token_list")),
        Case("create", url("api:token_list"), method="POST", data={"name": "Matriks", "expires_on": ""}, effect=True),
    ]


def _api_token_revoke(world, role):
    """Own token: revoked. Another user's token answers like a missing one, whoever asks (administrators too)."""
    from api.services import api_token_create

    user = world.users[role] if role in SIGNED_IN else world.users["administrator"]
    other = world.users["disnaker_desa" if role == "administrator" else "administrator"]
    own, _secret = api_token_create(user=user, name="matriks")
    theirs, _secret = api_token_create(user=other, name="matriks")
    return [
        Case("missing", url("api:token_revoke", pk=MISSING_PK), method="POST", expect="notfound", effect=False),
        Case("own", url("api:token_revoke", pk=own.pk), method="POST", effect=True),
        Case(
            "other-user",
            url("api:token_revoke", pk=theirs.pk),
            method="POST",
            expect="notfound",
            effect=False,
            same_as="missing",
        ),
    ]


API_POLICY: dict[str, "Entry"] = {
    "api:token_list": Entry(_api_token_list),
    "api:token_revoke": Entry(_api_token_revoke),
    "api:docs": Entry(page("api:docs")),
    "api:root": Entry(page("api:root"), anonymous_expect="unauthorized"),
    "api:schema": Entry(page("api:schema"), anonymous_expect="unauthorized"),
    "api:regions": Entry(
        _api_gets(
            "api:regions",
            "level=2",
            *_api_sites(lambda w, s: f"under={s.kabkota}"),
            *_api_sites(lambda w, s: f"parent={s.kabkota}"),
        ),
        anonymous_expect="unauthorized",
    ),
    "api:region_detail": Entry(_api_object("api:region_detail", "region"), anonymous_expect="unauthorized"),
    "api:programs": Entry(
        _api_gets(
            "api:programs",
            "year=2026",
            *_api_sites(lambda w, s: f"region={s.program_owner}"),
            *_api_sites(lambda w, s: f"search={s.program.code}"),
        ),
        anonymous_expect="unauthorized",
    ),
    "api:program_detail": Entry(
        _api_object("api:program_detail", "program", visible_of=lambda r: PROGRAM_READ[r]),
        anonymous_expect="unauthorized",
    ),
    "api:participants": Entry(
        _api_gets(
            "api:participants",
            "status=AKTIF",
            *_api_sites(lambda w, s: f"region={s.kabkota}"),
            *_api_sites(lambda w, s: f"program={s.program.code}"),
        ),
        anonymous_expect="unauthorized",
    ),
    "api:participant_search": Entry(lambda w, r: _api_participant_search(w, r), anonymous_expect="unauthorized"),
    "api:participant_detail": Entry(
        lambda w, r: (
            by_object(w, r, "api:participant_detail", "participant")
            + [Case("paid-from-kaur", url("api:participant_detail", pk=w.sites["desa"].participants["pindahan"].pk))]
        ),
        anonymous_expect="unauthorized",
    ),
    "api:enrolments": Entry(
        _api_gets(
            "api:enrolments",
            "active_in=2025-07-01",
            *_api_sites(lambda w, s: f"program={s.program.code}"),
            *_api_sites(lambda w, s: f"participant={s.participants['plain'].pk}"),
            lambda w: f"participant={w.sites['desa'].participants['pindahan'].pk}",
        ),
        anonymous_expect="unauthorized",
    ),
    "api:claims": Entry(
        _api_gets(
            "api:claims", "status=DIAJUKAN", "type=JKM", "overdue=true", *_api_sites(lambda w, s: f"region={s.kabkota}")
        ),
        anonymous_expect="unauthorized",
    ),
    "api:claim_detail": Entry(
        lambda w, r: (
            by_object(w, r, "api:claim_detail", "claim", key="dibayar")
            + [Case("paid-from-kaur", url("api:claim_detail", pk=w.sites["desa"].claims["pindahan"].pk))]
        ),
        anonymous_expect="unauthorized",
    ),
    "api:claim_action": Entry(_api_claim_action, anonymous_expect="unauthorized"),
    "api:coverage": Entry(
        _api_gets(
            "api:coverage",
            "level=1",
            "month_from=2025-07-01",
            *_api_sites(lambda w, s: f"region={s.kabkota}"),
            *_api_sites(lambda w, s: f"program={s.program.code}"),
            check=_api_regions_in_scope,
        ),
        anonymous_expect="unauthorized",
    ),
    "api:coverage_region": Entry(
        _api_object("api:coverage_region", "region", check=_api_regions_in_scope), anonymous_expect="unauthorized"
    ),
    "api:reports": Entry(
        _api_gets(
            "api:reports", "status=DONE", *_api_sites(lambda w, s: f"region={s.kabkota}"), check=_api_regions_in_scope
        ),
        anonymous_expect="unauthorized",
    ),
    "api:report_download": Entry(_report_object("api:report_download", 0), anonymous_expect="unauthorized"),
    "api:bpjs_replies": Entry(_api_bpjs_replies, anonymous_expect="unauthorized"),
    "api:benefit_simulation": Entry(_api_simulation, anonymous_expect="unauthorized"),
    # Any other address under /api/: a JSON 404 for signed-in roles (the catch-all after the real routes).
    "api:not_found": Entry(
        lambda w, r: [Case("plain", "/api/v1/tidak-ada/", expect="notfound")], anonymous_expect="unauthorized"
    ),
}


POLICY: dict[str, Entry] = {
    **API_POLICY,
    # rentan
    # Pimpinan land on their coverage dashboard, the others on the portal's home page: both list the province's
    # program, which every Bengkulu role may read.
    "home": Entry(page("home", shows=lambda world, q: world.prov_program.name)),
    "login": Entry(_login, anonymous_expect="ok"),
    "logout": Entry(_logout),
    # programs
    "programs:region_detail_root": Entry(page("programs:region_detail_root")),
    "programs:region_detail": Entry(lambda w, r: by_object(w, r, "programs:region_detail", "region")),
    "programs:region_budget_plan": Entry(_region_budget_plan),
    "programs:program_list": Entry(
        page(
            "programs:program_list",
            "q=PROGRAM",
            "halaman=2",
            lambda w: f"q={w.sites['desa'].program_marker}",
            *(lambda w, k=k: f"q={w.sites[k].program_marker}" for k in OTHER_SITES),
            shows=_program_list_shows,
        )
    ),
    "programs:program_create": Entry(_program_create),
    "programs:program_detail": Entry(_program_detail),
    "programs:program_edit": Entry(_program_object("programs:program_edit", post=lambda p: program_payload(p))),
    "programs:budget_create": Entry(_program_object("programs:budget_create", post=lambda p: dict(BUDGET))),
    "programs:bill_generate": Entry(_bill_generate),
    "programs:bill_detail": Entry(_bill_detail),
    "programs:payment_create": Entry(_payment_create),
    "programs:payment_edit": Entry(_payment_edit),
    "programs:payment_delete": Entry(_payment_delete),
    "programs:arrears_list": Entry(_arrears_list),
    "programs:budget_planner": Entry(
        page(
            "programs:budget_planner",
            "population=1000&target_percent=50&year=2026&funding_source=SG&package=JKK_JKM",
        )
    ),
    # participants
    "participants:list": Entry(_participant_list),
    "participants:export": Entry(_participant_export),
    "participants:create": Entry(_participant_create),
    "participants:detail": Entry(_participant_detail),
    "participants:edit": Entry(_participant_edit),
    "participants:enrol": Entry(_participant_enrol),
    "participants:import_list": Entry(_import_list),
    "participants:import_template": Entry(page("participants:import_template")),
    "participants:import_detail": Entry(lambda w, r: by_object(w, r, "participants:import_detail", "batch")),
    "participants:import_status": Entry(lambda w, r: by_object(w, r, "participants:import_status", "batch")),
    "participants:import_confirm": Entry(
        lambda w, r: by_object(
            w, r, "participants:import_confirm", "batch", allowed=EDITORS, method="POST", payload=lambda s, k: {}
        )  # fmt: skip
    ),
    "participants:import_cancel": Entry(
        lambda w, r: by_object(
            w, r, "participants:import_cancel", "batch", allowed=EDITORS, method="POST", payload=lambda s, k: {}
        )  # fmt: skip
    ),
    "participants:reveal_nik": Entry(_reveal_nik),
    "participants:import_report": Entry(_import_report),
    "participants:bpjs_registration": Entry(
        lambda w, r: by_object(
            w, r, "participants:bpjs_registration", "program", visible=PROGRAM_READ[r], allowed=NIK_REVEALERS
        )
    ),
    "participants:bpjs_reply": Entry(_bpjs_reply),
    "participants:double_funding": Entry(page("participants:double_funding", allowed={"administrator"})),
    # claims
    "claims:list": Entry(_claim_lists("claims:list")),
    # The overdue page is the list with one more filter: its own page, the foreign kab/kota filters, page 2.
    "claims:overdue": Entry(
        page("claims:overdue", "halaman=2", *(lambda w, k=k: f"wilayah={w.sites[k].kabkota}" for k in OTHER_SITES))
    ),
    "claims:summary": Entry(_claim_summary),
    "claims:create": Entry(_claim_create),
    "claims:detail": Entry(_claim_detail),
    **{name: Entry(_claim_action(name)) for name in ACTIONS},
    "claims:heir_add": Entry(_heir_add),
    "claims:heir_remove": Entry(_heir_remove),
    "claims:document_upload": Entry(_document_upload),
    "claims:document_download": Entry(_document_download),
    # monitoring
    "monitoring:dashboard": Entry(_dashboard),
    "monitoring:dashboard_region": Entry(_dashboard_region),
    "monitoring:export": Entry(_export),
    "monitoring:export_region": Entry(
        lambda w, r: by_object(w, r, "monitoring:export_region", "region", check=_export_in_scope)
    ),
    "monitoring:run_start": Entry(_run_start),
    "monitoring:run_status": Entry(_run_status),
    "monitoring:target_list": Entry(
        page(
            "monitoring:target_list",
            "tahun=2025",
            "halaman=2",
            *(lambda w, k=k: f"wilayah={w.sites[k].kabkota}" for k in OTHER_SITES),
            shows=lambda world, q: world.sites["desa"].marker if not q else None,
        )
    ),
    "monitoring:target_create": Entry(_target_create),
    "monitoring:target_edit": Entry(_target_edit),
    "monitoring:target_import": Entry(_target_import),
    "monitoring:report_index": Entry(page("monitoring:report_index", check=_report_index_in_scope)),
    "monitoring:report_region": Entry(
        lambda w, r: (
            _reports(w) and by_object(w, r, "monitoring:report_region", "region", query={"bulan": REPORT_MONTH})
        )
    ),
    "monitoring:report_request": Entry(_report_region_post("monitoring:report_request", {"month": REPORT_MONTH})),
    "monitoring:report_note_create": Entry(
        _report_region_post(
            "monitoring:report_note_create", {"month": REPORT_MONTH, "kind": "CATATAN", "text": "Catatan uji"}
        )
    ),
    "monitoring:report_note_edit": Entry(_report_note_edit),
    "monitoring:report_note_delete": Entry(
        _report_object("monitoring:report_note_delete", 1, allowed=EDITORS, method="POST")
    ),
    "monitoring:report_download": Entry(_report_object("monitoring:report_download", 0)),
}


# --- running a case --------------------------------------------------------------------------------------------
def outcome(response, login_path=LOGIN_PATH) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return "login" if urlsplit(response["Location"]).path == login_path else "ok"
    if 200 <= status < 300:
        return "ok"
    return {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "notfound", 405: "method"}.get(
        status, f"status {status}"
    )


def body_bytes(response) -> bytes:
    # The test client closes responses itself (a second close() would fire request_finished and drop the
    # connection, and with it the world's transaction); streaming ones close when their iterator is exhausted.
    return b"".join(response.streaming_content) if response.streaming else response.content


def readable_texts(response, content: bytes) -> list[str]:
    """What a person (or a script) could read in the response: text, CSV, XLSX cells, PDF text, raw bytes."""
    kind = response.get("Content-Type", "")
    if kind.startswith("text/") or "json" in kind:
        texts = [content.decode("utf-8-sig", "replace")]
    else:
        texts = [content.decode("latin-1")]  # downloads: the raw bytes, then what a reader shows
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        cells = []
        for sheet in workbook.worksheets:
            cells.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells += ["" if value is None else str(value) for value in row]
        workbook.close()
        texts.append("\n".join(cells))
    elif content.startswith(b"%PDF"):
        from pypdf import PdfReader

        texts.append("\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))
    elif "csv" in kind:
        texts.append("\n".join(";".join(row) for row in csv.reader(io.StringIO(texts[0]), delimiter=";")))
    return texts


@dataclass(frozen=True)
class Canary:
    site: str
    kind: str
    value: str
    folded: bool  # matched case-insensitively (markers); numbers are matched exactly


def canaries_for(world: World, role: str) -> tuple[Canary, ...]:
    """The values this role must never see: the data of foreign sites, and programs it may not read."""
    if role in ("anonymous", "inactive_user"):
        data_sites, program_sites = set(SITE_KEYS), {*SITE_KEYS, "prov"}
    else:
        data_sites = set(SITE_KEYS) - SCOPE[role]
        program_sites = {*SITE_KEYS, "prov"} - PROGRAM_READ[role]
    found = []
    for key in sorted(data_sites):
        site = world.sites[key]
        found.append(Canary(key, "marker", site.marker, True))
        found += [Canary(key, "text", text, True) for text in sorted(site.texts)]
        found += [Canary(key, "number", number, False) for number in sorted(site.numbers)]
    for key in sorted(program_sites):
        marker = world.prov_program.name.removeprefix("Program ") if key == "prov" else world.sites[key].program_marker
        found.append(Canary(key, "program", marker, True))
        found += [Canary(key, "program", f"{prefix}{marker}", True) for prefix in ("Program ", "PKS/", "Pagu ")]
    return tuple(found)


def leaks_in(texts: list[str], canaries: tuple[Canary, ...], sent: str) -> list[str]:
    """The canaries found in the texts, leaving out those the request itself carried (a searched NIK or marker
    coming back is an echo; a full name that contains the searched marker is still a leak)."""
    lowered = [text.lower() for text in texts]
    tokened = any(TOKEN.lower() in text for text in lowered)  # every text canary carries the world's token
    sent = sent.lower()
    found = []
    for canary in canaries:
        if canary.folded and not tokened:
            continue
        needle, haystacks = (canary.value.lower(), lowered) if canary.folded else (canary.value, texts)
        if needle.lower() not in sent and any(needle in text for text in haystacks):
            found.append(f"{canary.site} {canary.kind} {canary.value}")
    return found


NOISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), ""),
    (re.compile(r'nonce="[^"]+"'), ""),
    (re.compile(r'"csrfToken": "[^"]+"'), ""),
]


def normalised(content: bytes) -> str:
    text = content.decode("utf-8", "replace")
    for pattern, replacement in NOISE:
        text = pattern.sub(replacement, text)
    return text


def request_text(case: Case) -> str:
    parts = [unquote(case.url)]
    for value in (case.data or {}).values():
        parts.append(getattr(value, "name", "") if hasattr(value, "read") else str(value))
    return " ".join(parts)


def send(client: Client, case: Case):
    headers = {"HX-Request": "true"} if case.htmx else None
    if case.method == "POST" and case.json:
        import json

        return client.post(case.url, json.dumps(case.data or {}), content_type="application/json", headers=headers)
    if case.method == "POST":
        return client.post(case.url, case.data or {}, headers=headers)
    return client.get(case.url, headers=headers)


def protected_buckets(role: str) -> set[tuple[str, str]]:
    """The snapshot buckets a role must never change: data of foreign sites, programs it may not write."""
    if role == "administrator":
        return set()
    if role in ("anonymous", "inactive_user"):
        return {(site, group) for site in (*SITE_KEYS, "prov") for group in ("data", "program")}
    data = {(site, "data") for site in set(SITE_KEYS) - SCOPE[role]}
    return data | {(site, "program") for site in {*SITE_KEYS, "prov"} - PROGRAM_WRITE[role]}


def foreign_rows(before: dict, after: dict, buckets) -> list[str]:
    changed = []
    for bucket in sorted(buckets):
        old, new = before.get(bucket, {}), after.get(bucket, {})
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key) != new.get(key):
                state = "added" if key not in old else "removed" if key not in new else "changed"
                changed.append(f"{bucket[0]} {key[0]} {key[1]} {state}")
    return changed


def run_case(client: Client, case: Case, *, name: str, role: str, world: World, canaries, answers: dict) -> list[str]:
    """Send one request, check it, and return what went wrong; whatever it wrote is rolled back afterwards.

    The request runs in a savepoint. For a POST the database's own per-transaction counters tell whether any table
    a write could touch changed (if none did, no row did); only then are the rows fingerprinted, after the request
    and again once its savepoint is rolled back (which is the state before it), and compared site by site.
    """
    problems = []
    started = time.monotonic()
    post = case.method == "POST"
    counts = write_counts() if post else None
    audit_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() if post else None
    after = None
    wrote_audit = False
    with transaction.atomic():
        response = send(client, case)
        content = body_bytes(response)
        got = outcome(response)
        texts = readable_texts(response, content)
        local = urlsplit(response.get("Location", "")).netloc in ("", "testserver")
        if got == "ok" and response.status_code in (301, 302, 303) and local:
            # The page after a redirect shows the messages the request left (and consumes them, so that they
            # cannot turn up in the next case's page).
            follow = client.get(response["Location"])
            texts += readable_texts(follow, body_bytes(follow))
        if case.shows and got == "ok" and not any(case.shows.lower() in text.lower() for text in texts):
            problems.append(f"{case.variant}: positive control failed, {case.shows!r} not shown")
        if case.check and got == "ok":
            error = case.check(response, content, role, world)
            if error:
                problems.append(f"{case.variant}: {error}")
        if post:
            wrote_audit = AuditEvent.objects.filter(
                pk__gt=audit_before or 0, action__in=["create", "update", "delete", "import"]
            ).exists()
            after = snapshot() if write_counts() != counts else None
        transaction.set_rollback(True)
    changed = []
    if after is not None:
        before = snapshot()  # the request's savepoint is rolled back: this is the state before it
        touched = foreign_rows(before, after, protected_buckets(role))
        if touched:
            problems.append(f"{case.variant}: CROSS-REGION WRITE {touched}")
        changed = foreign_rows(before, after, set(before) | set(after))
    if case.effect is True and not (changed or wrote_audit):
        problems.append(f"{case.variant}: own write changed nothing ({response.status_code})")
    if case.effect is False and (changed or wrote_audit):
        problems.append(f"{case.variant}: refused write still wrote {changed or 'an audit row'}")
    leaks = leaks_in(texts, canaries, request_text(case))
    expected = {"refused": {"ok", "forbidden", "notfound", "invalid"}}.get(case.expect, {case.expect})
    if got not in expected:
        problems.append(f"{case.variant}: {case.method} {case.url} answered {response.status_code} ({got}), "
                        f"expected {case.expect}")  # fmt: skip
    answers[case.variant] = (response.status_code, normalised(content))
    if case.same_as and case.same_as in answers and answers[case.same_as] != answers[case.variant]:
        problems.append(f"{case.variant}: answers differently from {case.same_as} (existence leaks)")
    known = (name, role, case.variant) in KNOWN_LEAKS or (name, role, case.variant) in KNOWN_WRONG_STATUSES
    if leaks:
        problems.append(f"{case.variant}: LEAK {case.method} {case.url}: {leaks}")
    RESULTS.append(
        {
            "url": name,
            "role": role,
            "variant": case.variant,
            "method": case.method,
            "status": response.status_code,
            "leaks": len(leaks),
            "known": bool(known),
            "ok": not problems,
            "write": case.method == "POST",
            "refused_write": case.method == "POST" and case.effect is False,
            "cross_writes": sum("CROSS-REGION WRITE" in problem for problem in problems),
            "seconds": time.monotonic() - started,
        }
    )
    return problems


def signed_in_client(world: World, role: str) -> Client:
    """A client with the persona's session (signed in once per module: the session row outlives each test's
    rollback, and the inactive user's session exists too, as after a force_login)."""
    client = Client(raise_request_exception=False)  # a crash is a 500 in the matrix, not an error of the test
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def cases_for(entry: Entry, world: World, role: str) -> list[Case]:
    if role in SIGNED_IN:
        return entry.build(world, role)
    # Anonymous visitors and the inactive user are sent to the login page before any object is looked up: one GET
    # and one POST per URL (an own object, so that nothing else could explain a refusal) tell as much as every
    # variant would.
    cases, seen = [], set()
    for case in entry.build(world, "administrator"):
        if case.method in seen or case.variant == "missing":
            continue
        seen.add(case.method)
        cases.append(
            replace(
                case,
                expect=entry.anonymous_expect,
                effect=False if case.method == "POST" else None,
                shows=None,
                check=None,
                same_as=None,
            )
        )
    return cases


# --- fixtures ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of tests/matrix_world.py, built once in an outer transaction that is rolled back afterwards."""
    files = tmp_path_factory.mktemp("matrix")
    storage = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": files / "private"},
        },
    }
    isolated = {
        "STORAGES": storage,
        # Argon2 takes a third of a second per user: the personas' passwords are hashed with MD5, as in conftest.py.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The dashboards cache rendered figures and the list of computed months; a cache of this process only keeps
        # other test runs sharing the Redis database (and earlier runs) out of this world's pages.
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}},
    }
    with django_db_blocker.unblock(), override_settings(**isolated):
        require(connection.vendor == "postgresql", "the matrix fingerprints rows with PostgreSQL (set DATABASE_URL)")
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.monotonic()
            built = build_world(files)
            _reports(built)  # rendered once per module here: made inside a test, they would roll back with it
            for role, user in built.users.items():
                client = Client()
                client.force_login(user)
                built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            SECONDS["world"] += time.monotonic() - started
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the tests -----------------------------------------------------------------------------------------------------
def test_every_url_has_a_policy():
    found = routes()
    outside_admin = {route.key for route in found if not is_admin(route)}
    missing = sorted(outside_admin - POLICY.keys() - EXEMPT.keys())
    stale = sorted((POLICY.keys() | EXEMPT.keys()) - outside_admin)
    assert not missing, f"URLs without an authorization policy (add them to POLICY): {missing}"
    assert not stale, f"policy entries for URLs that no longer exist: {stale}"
    admin_routes = [route for route in found if is_admin(route)]
    assert admin_routes, "the admin site is mounted at /admin/"
    assert all(route.name is None or route.name.startswith("admin:") for route in admin_routes)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POLICY))
def test_authorization_matrix(world, name, role):
    started = time.monotonic()
    client = signed_in_client(world, role)
    canaries = canaries_for(world, role)
    answers: dict = {}
    problems = []
    for case in cases_for(POLICY[name], world, role):
        problems += run_case(client, case, name=name, role=role, world=world, canaries=canaries, answers=answers)
    SECONDS["matrix"] += time.monotonic() - started
    known = {v: why for (n, r, v), why in (KNOWN_LEAKS | KNOWN_WRONG_STATUSES).items() if (n, r) == (name, role)}
    unknown = [problem for problem in problems if problem.split(": ", 1)[0] not in known]
    assert not unknown, f"{name} as {role}:\n" + "\n".join(unknown)
    fixed = sorted(set(known) - {problem.split(": ", 1)[0] for problem in problems})
    assert not fixed, f"{name} as {role}: known problems no longer happen, remove them from the lists: {fixed}"
    if known:
        pytest.xfail("; ".join(sorted(set(known.values()))))


def admin_urls(world: World) -> list[tuple[str, str]]:
    """(key, url) for every admin route, with the id of an existing row where the route names one."""
    models = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    out = []
    for route in routes():
        if not is_admin(route):
            continue
        if route.name is None:
            if "(?P<url>" in route.route:
                out.append((route.key, "/admin/tidak-ada/"))
                continue
            app, model_name = route.route.split("/")[1:3]
            model = models[f"{app}_{model_name}"]
            pk = model.objects.order_by("pk").values_list("pk", flat=True).first() or 1
            out.append((route.key, f"/admin/{app}/{model_name}/{pk}/"))
            continue
        short = route.name.removeprefix("admin:")
        if "<path:object_id>" in route.route and "content_type_id" not in route.route:
            model = models[short.rsplit("_", 1)[0]]
            pk = model.objects.order_by("pk").values_list("pk", flat=True).first() or 1
            out.append((route.key, reverse(route.name, kwargs={"object_id": pk})))
        elif "<id>" in route.route:
            out.append((route.key, reverse(route.name, kwargs={"id": world.users["administrator"].pk})))
        elif "content_type_id" in route.route:
            from django.contrib.contenttypes.models import ContentType

            participant = world.sites["desa"].participants["plain"]
            content_type = ContentType.objects.get_for_model(participant)
            out.append((route.key, reverse(route.name, kwargs={"content_type_id": content_type.pk,
                                                                "object_id": participant.pk})))  # fmt: skip
        elif "app_label" in route.route:
            out.append((route.key, reverse(route.name, kwargs={"app_label": "participants"})))
        else:
            out.append((route.key, reverse(route.name)))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_admin_site_is_for_administrators_only(world, role):
    """Non-staff (every role but the administrator) are sent to the admin login from every admin URL."""
    started = time.monotonic()
    client = signed_in_client(world, role)
    canaries = canaries_for(world, role)
    problems = []
    for key, path in admin_urls(world):
        response = client.get(path)
        content = body_bytes(response)
        status = response.status_code
        if role == "administrator":
            ok = status < 500 and (status == 200 or not key.endswith(("_changelist", ":index")))
        elif key == "admin:login":
            ok = status == 200
        elif key == "admin:logout":
            ok = status in (302, 405) and urlsplit(response.get("Location", "")).path in ("/admin/", "")
        else:
            ok = outcome(response, ADMIN_LOGIN_PATH) == "login"
        leaks = [] if role == "administrator" else leaks_in(readable_texts(response, content), canaries, path)
        if not ok:
            problems.append(f"{key} {path}: {status} {response.get('Location', '')}")
        if leaks:
            problems.append(f"{key} {path}: LEAK {leaks}")
        RESULTS.append({"url": key, "role": role, "variant": "admin", "method": "GET", "status": status,
                        "leaks": len(leaks), "known": False, "ok": ok and not leaks, "write": False,
                        "refused_write": False, "cross_writes": 0})  # fmt: skip
    SECONDS["matrix"] += time.monotonic() - started
    assert not problems, f"admin as {role}:\n" + "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("what", "path", "reader"),
    [
        ("list", lambda w: url("participants:list", f"q={w.sites['kaur'].marker}"), "html"),
        ("csv", lambda w: url("participants:export", "wilayah=17.04", fmt="csv"), "csv"),
        ("xlsx", lambda w: url("participants:export", "wilayah=17.04", fmt="xlsx"), "xlsx"),
        ("registration", lambda w: url("participants:bpjs_registration", code=w.sites["kaur"].program.code), "xlsx"),
        ("import report", lambda w: url("participants:import_report", pk=w.sites["kaur"].batch.pk), "xlsx"),
        ("import preview", lambda w: url("participants:import_detail", pk=w.sites["kaur"].batch.pk), "html"),
        ("claim", lambda w: url("claims:detail", pk=w.sites["kaur"].claims["dibayar"].pk), "html"),
        (
            "document",
            lambda w: url(
                "claims:document_download",
                pk=w.sites["kaur"].claims["diajukan"].pk,
                document_pk=w.sites["kaur"].document.pk,
            ),
            "pdf",
        ),  # fmt: skip
    ],
)
def test_the_scan_finds_canaries_in_every_format(world, what, path, reader):
    """The detector is not blind: Kaur's data, seen by the province operator, is what Kota's operator must not see.

    Full-NIK downloads (registration list, refused rows) are read as the administrator, who may see them."""
    full_nik = what in ("registration", "import report")
    client = signed_in_client(world, "administrator" if full_nik else "disnaker_provinsi")
    response = client.get(path(world), follow=True)  # a search is swapped for a token by a redirect
    assert response.status_code == 200
    texts = readable_texts(response, body_bytes(response))
    parsed = texts[-1]  # the CSV rows, the XLSX cells or the PDF text layer (the page itself for HTML)
    found = leaks_in([parsed], canaries_for(world, "disnaker_kota_bengkulu"), sent="")
    assert any("kaur" in leak for leak in found), f"{what}: the scan found nothing in {parsed[:300]!r}"
    if reader in ("csv", "xlsx", "pdf"):
        assert response["Content-Type"] != "text/html; charset=utf-8"


@pytest.mark.django_db
def test_the_write_check_sees_a_write_in_a_foreign_site(world):
    """The row fingerprints are not blind either: Kaur's claim moved by an administrator is a foreign write for
    Kota Bengkulu's operator, and none for the province's."""
    client = signed_in_client(world, "administrator")
    counts, before = write_counts(), snapshot()
    response = client.post(url("claims:verify", pk=world.sites["kaur"].claims["diajukan"].pk), {"note": "x"})
    assert response.status_code == 302
    assert write_counts() != counts
    after = snapshot()
    assert foreign_rows(before, after, protected_buckets("disnaker_kota_bengkulu"))
    assert not foreign_rows(before, after, protected_buckets("disnaker_provinsi"))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "check"), [("/dasbor/", _dashboard_in_scope), ("/dasbor/ekspor/", _export_in_scope)])
def test_the_dashboard_checks_see_foreign_regions(world, path, check):
    """An administrator's dashboard and export name regions outside Kota Bengkulu: the checks must say so."""
    response = signed_in_client(world, "administrator").get(path)
    content = body_bytes(response)
    assert response.status_code == 200
    assert check(response, content, "disnaker_kota_bengkulu", world)
    assert check(response, content, "administrator", world) is None


@pytest.mark.django_db
def test_an_inactive_user_cannot_log_in(world):
    from tests.conftest import PASSWORD

    client = Client()
    response = client.post(url("login"), {"username": "nonaktif", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert outcome(client.get(url("home"))) == "login"


def test_zz_matrix_report():
    """Write the figures the closing note quotes; fails if any leak was found (known ones included in the count).

    It uses no database, so pytest-django runs it after every database test of the session: the matrix is done.
    """
    if not RESULTS:
        pytest.skip("the matrix did not run in this process")
    urls = {row["url"] for row in RESULTS}
    app_urls = {row["url"] for row in RESULTS if row["variant"] != "admin"}
    roles = {row["role"] for row in RESULTS}
    leaks = sum(row["leaks"] for row in RESULTS)
    cases = len(RESULTS)
    writes = sum(row["write"] for row in RESULTS)
    refused = sum(row["refused_write"] for row in RESULTS)
    failed = [row for row in RESULTS if not row["ok"]]
    by_status = Counter(row["status"] for row in RESULTS)
    variants = len({(row["url"], row["variant"]) for row in RESULTS})
    lines = [
        "Rentan authorization matrix (tests/test_authorization_matrix.py)",
        f"run at {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        f"URL patterns covered: {len(urls)} ({len(app_urls)} portal URL names + "
        f"{len(urls) - len(app_urls)} admin routes)",
        f"roles: {len(roles)} ({', '.join(ROLES)})",
        f"variants (URL × object/search/payload variant): {variants}",
        f"requests (URL × role × variant): {cases}, of which POST {writes} (refused by design: {refused})",
        f"requests per role: {dict(Counter(row['role'] for row in RESULTS))}",
        f"responses by status: {dict(sorted(by_status.items()))}",
        f"leaks: {leaks} canary values in {sum(bool(row['leaks']) for row in RESULTS)} responses "
        f"(all listed in KNOWN_LEAKS: {all(row['known'] for row in RESULTS if row['leaks'])})",
        f"cross-region writes: {sum(row['cross_writes'] for row in RESULTS)}",
        f"cases with a problem: {len(failed)} (listed in KNOWN_WRONG_STATUSES/KNOWN_LEAKS: "
        f"{sum(row['known'] for row in failed)})",
        f"time: world built in {SECONDS['world']:.1f} s, matrix and admin tests ran {SECONDS['matrix']:.1f} s",
    ]
    lines += [f"  {row['url']} {row['role']} {row['variant']} {row['status']}" for row in failed[:50]]
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))  # noqa: T201 - the lead quotes these figures
    unknown = sum(row["leaks"] for row in RESULTS if not row["known"])
    assert unknown == 0, f"{unknown} leaked values not in KNOWN_LEAKS; see {ARTIFACT}"
