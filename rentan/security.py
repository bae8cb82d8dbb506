"""Small security helpers shared by settings-driven libraries."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry our own PROXY_COUNT proxies appended.

    Each trusted proxy appends the address it received the request from, so with N proxies the client is the
    N-th entry from the right; anything further left was written by the client and could be forged.
    """
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


class SessionRenewalMiddleware:
    """Keeps a signed-in session alive while it is used, writing it at most once per SESSION_RENEW_AFTER seconds.

    The idle timeout (SESSION_COOKIE_AGE) is counted from the last write of the session; renewing it on every
    request would cost a database write per page view.
    """

    RENEWED_AT = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(self.RENEWED_AT, 0) >= settings.SESSION_RENEW_AFTER:
                session[self.RENEWED_AT] = now  # marks the session modified: SessionMiddleware saves it
        return self.get_response(request)


def stamp_session_renewal(sender, request, user, **kwargs):
    """Logging in writes the session anyway: stamp it so the next request does not write it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionRenewalMiddleware.RENEWED_AT] = int(time.time())
