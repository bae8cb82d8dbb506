"""Schemathesis against the live API on loopback: no server error, no answer that breaks the published schema.

A real HTTP server (pytest-django's ``live_server``, a thread of this process on a free loopback port, with the test
database) serves the API; ``schemathesis run`` (the CLI, in a subprocess) reads the schema the server publishes and
sends generated requests with an administrator's personal token, so every endpoint sees data. Bounded: a fixed
seed, a handful of examples per operation, one worker, and a hard timeout on the subprocess.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree

from tests.api.conftest import token_client

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
EXAMPLES = 20
TIMEOUT_SECONDS = 110


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(world, administrator, live_server, tmp_path):
    client = token_client(administrator)
    secret = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    report = tmp_path / "junit.xml"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/v1/schema/?format=json",
        "--url", live_server.url,
        "--header", f"Authorization: Bearer {secret}",
        "--checks", CHECKS,
        "--phases", "examples,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--seed", "20240901",
        "--workers", "1",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--no-shrink",
        "--report", "junit",
        "--report-junit-path", str(report),
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    log = tmp_path / "schemathesis.log"
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)  # noqa: S603
        try:
            returncode = process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            returncode = "timeout"
    output = log.read_text()
    assert returncode == 0, output[-8000:]
    # The run really exercised the API: one test per operation of the schema, none failed.
    suite = ElementTree.parse(report).getroot()
    operations = {case.get("name") for case in suite.iter("testcase")}
    assert {"POST /api/v1/simulations/benefit/", "POST /api/v1/claims/{id}/actions/", "GET /api/v1/participants/",
            "POST /api/v1/bpjs-replies/", "GET /api/v1/coverage/{code}/"} <= operations, operations  # fmt: skip
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    published = {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}
    assert operations == published and suite.get("failures") == suite.get("errors") == "0"
