"""The tests' hands on the provider: create or change a user, set the client's redirect URIs, a JWKS with
the provider's key id but another key (what a forged token's signer would publish)."""

import json
import os

from django.contrib.auth.models import Group, User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from jwcrypto import jwk
from oauth2_provider.models import Application

from xiaobao.directory.tests.oidc_provider.models import Profile


def _allowed(request: HttpRequest) -> bool:
    return request.headers.get("X-Test-Token") == os.environ["XB_OIDC_PROVIDER_TOKEN"]


@csrf_exempt
def user(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not _allowed(request):
        return HttpResponse(status=403)
    data = json.loads(request.body)
    obj, _ = User.objects.get_or_create(username=data["username"])
    obj.email = data.get("email", "")
    obj.is_active = data.get("is_active", True)
    obj.set_password(data["password"])
    obj.save()
    obj.groups.set([Group.objects.get_or_create(name=g)[0] for g in data.get("groups", [])])
    Profile.objects.update_or_create(
        user=obj,
        defaults={"name": data.get("name", ""), "unit": data.get("unit", ""), "extra": data.get("extra", {})},
    )
    return JsonResponse({"sub": str(obj.pk)})


@csrf_exempt
def redirect_uris(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not _allowed(request):
        return HttpResponse(status=403)
    Application.objects.filter(client_id="xiaobao").update(redirect_uris=request.body.decode())
    return JsonResponse({"ok": True})


def wrong_jwks(request: HttpRequest) -> HttpResponse:
    app = Application.objects.get(client_id="xiaobao")
    other = jwk.JWK.generate(kty="RSA", size=2048)
    public = json.loads(other.export_public())
    public.update({"kid": app.jwk_key.thumbprint(), "alg": "RS256", "use": "sig"})
    return JsonResponse({"keys": [public]})
