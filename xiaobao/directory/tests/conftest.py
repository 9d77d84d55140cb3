"""A real OpenLDAP server (Debian's slapd) for the directory tests: one per pytest-xdist worker, on a free
port, in a temporary directory, seeded with `seed.ldif` through slapadd (schemas core, cosine, inetorgperson
and nis; mdb backend). Missing slapd or python-ldap skips these tests — or fails them when
XIAOBAO_REQUIRE_LDAP=1 (.ci/run sets it), so CI never passes by skipping.

`directory` switches directory sign-in on for one test (override_settings with `conf.build`) against that
server; `ldap_admin` is a python-ldap connection bound as the server's root for changing entries."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# the OpenID Connect provider's fixtures (oidc_provider, oidc): see oidc_server.py
from xiaobao.directory.tests.oidc_server import oidc, oidc_provider  # noqa: F401

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
SUFFIX = "dc=bank,dc=example"
ROOT_DN, ROOT_PW = f"cn=admin,{SUFFIX}", "root-secret"
BIND_DN, BIND_PW = f"cn=xiaobao,ou=services,{SUFFIX}", "bind-secret"
GROUPS = f"ou=groups,{SUFFIX}"

# username: (display name, unit attribute, extra attribute lines)
PEOPLE = {
    "zhangsan": ("张三", "B1", ""),
    "lisi": ("李四", "B1-S1", ""),
    "wangwu": ("王五", "B1", "employeeType: disabled\n"),
    "zhaoliu": ("赵六", "ZZ-NOWHERE", ""),
    "sunqi": ("孙七", "B2", ""),
    "zhouba": ("周八", "B1", ""),
    "wujiu": ("吴九", "B1", ""),
    "zhengshi": ("郑十", "B1", ""),
    "qianyi": ("钱一", "HO", ""),
    "breakglass": ("不该用", "HO", ""),
}


def password_of(username: str) -> str:
    return f"pw-{username}-2026"


def _requirement() -> str:
    """Why the real directory cannot run here ('' when it can)."""
    try:
        import django_auth_ldap  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        return "python-ldap / django-auth-ldap not installed"
    for tool in (SLAPD, SLAPADD):
        if not os.access(tool, os.X_OK):
            return f"{tool} not installed (apt-get install slapd)"
    return ""


def need_ldap() -> None:
    missing = _requirement()
    if missing:
        if os.environ.get("XIAOBAO_REQUIRE_LDAP") == "1":
            pytest.fail(f"XIAOBAO_REQUIRE_LDAP=1 but {missing}")
        pytest.skip(missing)


def _seed() -> str:
    people = ""
    for uid, (name, unit, extra) in PEOPLE.items():
        people += (
            f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\n"
            f"sn: {name[0]}\ndisplayName: {name}\nmail: {uid}@bank.example\ndepartmentNumber: {unit}\n"
            f"userPassword: {password_of(uid)}\n{extra}\n"
        )
    return (Path(__file__).parent / "seed.ldif").read_text().replace("{people}\n", people)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conf(root: Path) -> str:
    includes = "".join(f"include /etc/ldap/schema/{s}.schema\n" for s in SCHEMAS)
    return (
        f"{includes}modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f"pidfile {root}/slapd.pid\nargsfile {root}/slapd.args\n"
        f'database mdb\nmaxsize 10485760\nsuffix "{SUFFIX}"\nrootdn "{ROOT_DN}"\nrootpw {ROOT_PW}\n'
        f"directory {root}/db\n"
        "access to attrs=userPassword by self write by anonymous auth by * none\n"
        "access to * by users read by * none\n"
    )


class Slapd:
    def __init__(self, uri: str, proc: subprocess.Popen) -> None:
        self.uri, self.proc = uri, proc

    def admin(self) -> Any:
        import ldap

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PW)
        return conn

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "XIAOBAO_LDAP_URI": self.uri,
            "XIAOBAO_LDAP_BIND_DN": BIND_DN,
            "XIAOBAO_LDAP_BIND_PASSWORD": BIND_PW,
            "XIAOBAO_LDAP_USER_BASE": f"ou=people,{SUFFIX}",
            "XIAOBAO_LDAP_GROUP_BASE": GROUPS,
            "XIAOBAO_LDAP_DISABLED_FILTER": "(employeeType=disabled)",
            **extra,
        }


def _answers(uri: str) -> bool:
    import ldap

    conn = ldap.initialize(uri)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 1)
    try:
        conn.simple_bind_s(BIND_DN, BIND_PW)
        return True
    except ldap.LDAPError:
        return False
    finally:
        conn.unbind_s()


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    need_ldap()
    root = Path(tempfile.mkdtemp(prefix="xb-slapd-"))
    (root / "db").mkdir()
    (root / "slapd.conf").write_text(_conf(root))
    (root / "seed.ldif").write_text(_seed())
    subprocess.run(
        [SLAPADD, "-q", "-f", str(root / "slapd.conf"), "-l", str(root / "seed.ldif")],
        check=True,
        capture_output=True,
    )
    uri = f"ldap://127.0.0.1:{_free_port()}"
    # -d 0: stay in the foreground (killed at the end), no debug output
    proc = subprocess.Popen(
        [SLAPD, "-f", str(root / "slapd.conf"), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(uri):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                pytest.fail(f"slapd did not start: {err[-500:]}")
            time.sleep(0.05)
        yield Slapd(uri, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def ldap_admin(slapd: Slapd) -> Iterator[Any]:
    conn = slapd.admin()
    yield conn
    conn.unbind_s()


@pytest.fixture
def directory(slapd: Slapd, settings: Any) -> Slapd:
    """Directory sign-in on for this test (settings restored after it), pointing at the real server."""
    from xiaobao.directory.conf import build

    for key, value in build(slapd.env(XIAOBAO_LDAP_BREAK_GLASS="breakglass")).items():
        setattr(settings, key, value)
    return slapd


@pytest.fixture
def mappings(org: Any) -> dict[str, Any]:
    """cp-branch → branch CP officer, handlers → complaint handler, all-staff → learner, admins → sysadmin."""
    from xiaobao.directory.services import mapping_save

    rows = {
        "cp-branch": "branch_cp_officer",
        "handlers": "complaint_handler",
        "all-staff": "learner",
        "Xiaobao-Admins": "sysadmin",
    }
    return {
        cn: mapping_save(actor=None, data={"group_dn": f"cn={cn},{GROUPS}", "role": role})
        for cn, role in rows.items()
    }
