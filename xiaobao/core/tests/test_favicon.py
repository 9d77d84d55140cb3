"""The site icon: `/favicon.ico` (asked for by every browser, signed in or not) answers with the icon."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_favicon_is_served_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.lstrip().startswith(b"<svg")


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    html = client.get("/login/").content.decode()
    assert 'rel="icon"' in html and "xiaobao/favicon.svg" in html
