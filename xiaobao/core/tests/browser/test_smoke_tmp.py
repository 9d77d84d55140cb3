import pytest
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_smoke(page, login, hq_officer, shot, live_server):
    page.on("response", lambda r: print("RESP", r.status, r.url, r.headers.get("content-type")))
    page.on("console", lambda m: print("CONSOLE", m.type, m.text))
    login(page, "hq_cp")
    r = page.request.get(live_server.url + "/static/xiaobao/app.css")
    print(r.status, r.text()[:300])
