"""Search text kept out of URLs: a NIK or a name typed into a search box is personal data (UU 27/2022).

In a query string (``?q=1771…``) it would end up in browser history, in the Referer header sent with the next
click, in proxy logs and in bookmarks. Search forms therefore POST the text; the view keeps it server-side (the
cache, per user, for a working day) under a random token and redirects to a URL that carries only the token
(``?cari=Xk3…``), so paging, HTMX refreshes and export links keep working. A token belongs to the user who made it:
a copied link shows another user nothing of the search. An old link with ``?q=`` still works once: it is swapped
for a token by the same redirect.
"""

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _

SEARCH_FIELD = "q"  # the form field users type into
URL_FIELD = "cari"  # what the URL carries instead
LIFETIME = 10 * 60 * 60  # seconds: a working day
MAX_LENGTH = 100


def _key(request, token: str) -> str:
    return f"search:{request.user.pk}:{token}"


def search_remember(request, text: str) -> str:
    """Keep ``text`` for this user and return the token that stands for it in URLs."""
    token = secrets.token_urlsafe(9)
    cache.set(_key(request, token), text[:MAX_LENGTH], LIFETIME)
    return token


def search_text(request) -> str:
    """The search text the URL's token stands for ('' without a token; a message when it has expired)."""
    token = request.GET.get(URL_FIELD, "")
    if not token:
        return ""
    text = cache.get(_key(request, token))
    if text is None:
        messages.warning(request, _("Pencarian sebelumnya sudah kedaluwarsa; ketik kata kunci sekali lagi."))
        return ""
    return text


def search_redirect(request) -> HttpResponseRedirect | None:
    """A redirect to the same page with the search text swapped for a token, when the request carries the text.

    The other parameters (filters that are not personal data: region, program, status, page) are kept; a search
    form's other fields arrive in the POST body and move to the URL. An HTMX request follows the redirect
    transparently (the browser repeats its headers), and the view then tells HTMX which URL to show.
    """
    source = request.POST if request.method == "POST" else request.GET
    if SEARCH_FIELD not in source:
        return None
    params = QueryDict(mutable=True)
    for key, values in source.lists():
        if key not in (SEARCH_FIELD, URL_FIELD, "csrfmiddlewaretoken") and any(values):
            params.setlist(key, [value for value in values if value])
    text = source.get(SEARCH_FIELD, "").strip()
    if text:
        params[URL_FIELD] = search_remember(request, text)
    query = params.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path, status=303)


def search_params(request) -> QueryDict:
    """The request's GET parameters with the token resolved back into the search text, for a filter form."""
    params = request.GET.copy()
    text = search_text(request)
    params.pop(URL_FIELD, None)
    if text:
        params[SEARCH_FIELD] = text
    return params
