"""Keep personal data out of the logs (UU 27/2022): a filter on every log handler masks what slips through.

Our own log calls name ids, never people. What can still carry personal data is text we do not write ourselves:
PostgreSQL's error details (``Key (nik)=(1771051506850001) already exists``, ``Failing row contains (...)`` with
every column of the row, names included), exception messages in tracebacks, and task failure lines. The filter
formats each record once, then

- replaces the values of ``Key (...)=(...)`` and the whole ``Failing row contains (...)`` with ``(disamarkan)``;
- masks every run of 9 to 20 digits: 16-digit NIKs as ``1771••••••••0001``, phone and bank account numbers to
  their last 4 digits.

Names outside such database details cannot be recognised by a pattern: code must not put them in log messages or
exception texts (the canary test in ``tests/rentan/test_log_privacy.py`` runs the usual failure paths).
"""

import logging
import re

from rentan.formatting import mask_account, mask_nik

HIDDEN = "(disamarkan)"
_KEY = re.compile(r"(Key \([^)\n]*\)=)\(.*?\)(?= already exists| is not present| conflicts with|\.|\\n|$)", re.M)
_ROW = re.compile(r"(Failing row contains )[^\n]*")
_DIGITS = re.compile(r"(?<![0-9])[0-9]{9,20}(?![0-9])")


def _mask_digits(match: re.Match) -> str:
    digits = match.group(0)
    return mask_nik(digits) if len(digits) == 16 else mask_account(digits)


def redact(text: str) -> str:
    """The text with database row details hidden and NIK, phone and account numbers masked."""
    if not text:
        return text
    text = _ROW.sub(rf"\g<1>{HIDDEN}", text)
    text = _KEY.sub(rf"\g<1>{HIDDEN}", text)
    return _DIGITS.sub(_mask_digits, text)


class PersonalDataFilter(logging.Filter):
    """Rewrite a record's message, traceback and stack so no handler writes NIKs, numbers or database rows."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call must not lose the record (nor leak its args)
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
