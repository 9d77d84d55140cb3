"""`python -m xiaobao.directory.tests.oidc_provider.serve PORT DIR`: a fresh provider (database, RS256 key,
the "xiaobao" client) served on 127.0.0.1:PORT until killed. Env: XB_OIDC_PROVIDER_TOKEN (the /test/ token),
XB_OIDC_CLIENT_SECRET, XB_OIDC_REDIRECT_URIS (space-separated)."""

import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main() -> None:
    port, data = sys.argv[1], Path(sys.argv[2])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (data / "key.pem").write_bytes(pem)
    os.environ.update(
        XB_OIDC_PROVIDER_DIR=str(data),
        XB_OIDC_PROVIDER_PORT=port,
        DJANGO_SETTINGS_MODULE="xiaobao.directory.tests.oidc_provider.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", run_syncdb=True, verbosity=0)
    Application.objects.create(
        name="Xiaobao",
        client_id="xiaobao",
        client_secret=os.environ["XB_OIDC_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ.get("XB_OIDC_REDIRECT_URIS", ""),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    run("127.0.0.1", int(port), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
