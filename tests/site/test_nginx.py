"""deploy/nginx.conf, run by a real nginx on loopback: unknown hosts are
dropped before Django, and the admin's access log has no query strings."""

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "clinic.example.org"
ADMIN = "/staff-7d2f/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    assert shutil.which("nginx"), "nginx is needed (apt-get install nginx)"
    work = tmp_path_factory.mktemp("nginx")
    (work / "cache").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", work / "key.pem", "-out", work / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    plain, tls = free_port(), free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in {
        "/etc/nginx/clinic/": f"{ROOT}/deploy/nginx/",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": f"{work}/cert.pem",
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": f"{work}/key.pem",
        "/var/cache/nginx/clinic": f"{work}/cache",
        "/var/log/nginx/": f"{work}/",
        "server 127.0.0.1:8000;": "server 127.0.0.1:9;",  # nothing there: 502
    }.items():
        conf = conf.replace(old, new)
    conf = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", conf)
    conf = re.sub(r"listen 80\b", f"listen 127.0.0.1:{plain}", conf)
    conf = re.sub(r"listen 443\b", f"listen 127.0.0.1:{tls}", conf)
    (work / "clinic.conf").write_text(conf)
    (work / "nginx.conf").write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\n access_log {work}/access.log;\n"
        f" include /etc/nginx/mime.types;\n include {work}/clinic.conf;\n}}\n"
    )
    args = ["nginx", "-p", f"{work}/", "-c", f"{work}/nginx.conf"]
    test = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    subprocess.run(args, check=True)
    for _ in range(50):
        if (work / "nginx.pid").exists():
            break
        time.sleep(0.1)
    yield {"plain": plain, "tls": tls, "work": work}
    subprocess.run([*args, "-s", "stop"], check=False)


def get(port, host, path="/", *, tls=False):
    """The status nginx answers, for ``host`` as the Host header (and SNI)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=host)
    with sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    if not reply:
        raise http.client.RemoteDisconnected("closed without a response")
    return int(reply.split(b" ", 2)[1])


def test_unknown_hosts_are_dropped_before_django(nginx):
    assert get(nginx["plain"], HOST) == 301  # the real name: to HTTPS
    with pytest.raises(http.client.RemoteDisconnected):
        get(nginx["plain"], "evil.example")  # 444: closed, no response
    with pytest.raises(ssl.SSLError):
        get(nginx["tls"], "evil.example", tls=True)  # no certificate offered
    assert get(nginx["tls"], HOST, "/static/none.css", tls=True) == 404


def test_admin_requests_are_logged_without_their_query_string(nginx):
    status = get(nginx["tls"], HOST, f"{ADMIN}consultations/?q=Quintero", tls=True)
    assert status == 502  # no gunicorn behind this nginx
    time.sleep(0.2)
    log = (nginx["work"] / "access.log").read_text()
    assert f"GET {ADMIN}consultations/ HTTP" in log
    assert "Quintero" not in log
