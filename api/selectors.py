"""Reads of the API app: a user's own tokens, and the schema shown on the docs page."""

from django.http import Http404

from api.models import ApiToken


def api_token_list_for_user(*, user):
    """The user's own tokens only: nobody, administrators included, sees or revokes someone else's here."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


def api_token_get_for_user(*, user, pk: int) -> ApiToken:
    token = api_token_list_for_user(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def api_operations(schema: dict) -> list[dict]:
    """The operations of an OpenAPI schema, grouped by path, for the docs page."""
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (operation.get("description") or "").strip(),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                            "type": p.get("schema", {}).get("type", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "request": body.get("$ref", "").rsplit("/", 1)[-1],
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return operations
