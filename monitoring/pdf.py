"""HTML → PDF with WeasyPrint, safely: the renderer may read the project's own static files and nothing else.

Everything a user typed reaches the template as escaped text, so a name such as ``<img src="file:///etc/passwd">``
prints as those characters. Behind that, the URL fetcher is the second wall: it serves only files found by
Django's static finders under the ``rentan-static:`` scheme (``rentan-static:css/report.css``) and refuses
``file:``, ``http(s):``, ``data:`` and every other URL, so even markup that slipped through could not read the
server's files or reach the network. No attachments are embedded (``<link rel=attachment>`` and attachment links
are dropped), and nothing runs: WeasyPrint has no scripting.
"""

import logging
import mimetypes
import posixpath
from dataclasses import dataclass

from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)
# fontTools logs every font it subsets at INFO: a report would fill the worker log with it.
logging.getLogger("fontTools").setLevel(logging.WARNING)

STATIC_SCHEME = "rentan-static:"
# What a report may load from static: its stylesheet and images. Fonts come from the system (fontconfig).
STATIC_SUFFIXES = (".css", ".svg", ".png", ".jpg", ".jpeg")
MINIMUM_WEASYPRINT = (70, 0)


def static_url(path: str) -> str:
    """The URL under which a template names a static file for the PDF renderer."""
    return f"{STATIC_SCHEME}{path}"


class FetchRefused(ValueError):
    """The PDF renderer asked for something outside the project's static files."""


def _weasyprint():
    import weasyprint

    version = tuple(int(part) for part in weasyprint.__version__.split(".")[:2])
    if version < MINIMUM_WEASYPRINT:  # older releases fetch file:// and http:// with their default fetcher
        raise RuntimeError(f"WeasyPrint {weasyprint.__version__} is older than 70")
    return weasyprint


def load_renderer() -> None:
    """Import WeasyPrint now: a worker calls this when it starts (``monitoring.tasks``), so the import (about a
    second, more on a busy machine) does not fall on the first report it renders."""
    _weasyprint()


def _static_path(url: str) -> str:
    """``rentan-static:css/report.css`` → the file found by the static finders; refuses anything else."""
    if not url.startswith(STATIC_SCHEME):
        raise FetchRefused(url)
    relative = url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0]
    normalised = posixpath.normpath(relative)
    if (
        not relative
        or normalised.startswith(("/", ".."))
        or "\\" in relative
        or ":" in relative
        or not normalised.lower().endswith(STATIC_SUFFIXES)
    ):
        raise FetchRefused(url)
    found = finders.find(normalised)
    if not found:
        raise FetchRefused(url)
    return found


def make_fetcher(log: list[str] | None = None):
    """A WeasyPrint URL fetcher that serves static files only; every URL it is asked for is appended to ``log``."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcherResponse

    class StaticOnlyFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if log is not None:
                log.append(url)
            try:
                path = _static_path(url)
            except FetchRefused:
                logger.warning("PDF renderer refused to fetch %r", url[:200])
                raise
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyFetcher(timeout=1, allow_redirects=False, fail_on_errors=False)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    fetched: tuple[str, ...]  # every URL the renderer asked for (refused ones included)


def render_pdf(html: str, *, title: str = "") -> RenderedPdf:
    """Lay out ``html`` (A4, with the page rules of its own stylesheet) and return the PDF bytes."""
    weasyprint = _weasyprint()
    asked: list[str] = []
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=make_fetcher(asked)).render()
    # No embedded files, whatever the markup says.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    if title:
        document.metadata.title = title
    content = document.write_pdf(attachments=[])
    return RenderedPdf(content=content, pages=len(document.pages), fetched=tuple(asked))
