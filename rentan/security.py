"""Small security helpers shared by settings-driven libraries."""

from django.conf import settings


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
