"""The portal's HTML pages of the API app: personal tokens under the user's account, and the API documentation."""

from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import selectors, services
from api.forms import ApiTokenForm


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The user's tokens; a new token's secret is shown once, on the answer to the POST that made it."""
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"]
            )
        except ValidationError as error:
            found = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            for field, texts in found:
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            form = ApiTokenForm()
    context = {"form": form, "tokens": selectors.api_token_list_for_user(user=request.user), "secret": secret}
    return render(request, "api/token_list.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("api:token_list")


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@login_required
@require_GET
def docs(request):
    """What each endpoint does, its parameters and answers, read from the same OpenAPI schema the API serves."""
    schema = _schema()
    context = {"info": schema["info"], "operations": selectors.api_operations(schema)}
    return render(request, "api/docs.html", context)
