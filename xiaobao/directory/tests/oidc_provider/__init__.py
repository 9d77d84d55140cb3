"""A tiny OpenID Connect provider (django-oauth-toolkit) the OIDC sign-in tests start as a subprocess:
`python -m xiaobao.directory.tests.oidc_provider.serve PORT DIR` (see ../test_oidc.py's fixture). Its own
settings, SQLite database and RS256 key in DIR; one confidential client "xiaobao" trusted without a consent
page; /test/… endpoints (token-protected) let the tests create users and change their claims."""
