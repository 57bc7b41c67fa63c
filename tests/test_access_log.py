"""gunicorn's access log never holds a feed key or an unsubscribe token (tracker/access_log.py, gunicorn.conf.py):
a real gunicorn, started as the image starts it, serves a feed and an unsubscribe page, and its log is read."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from alerts import services as alert_services
from alerts.mail import unsubscribe_token
from tracker.access_log import mask_secrets_in_urls

ROOT = Path(__file__).resolve().parents[1]


def test_masking_keeps_the_key_s_public_prefix_and_nothing_of_the_secrets():
    line = (
        "GET /alerts/feeds/feed_AbCd1234_s3cr3tS3cr3t/crossings/rafah.atom?lang=ar HTTP/1.1 "
        '"https://x.example/alerts/unsubscribe/tok.en-123:abc/"'
    )
    masked = mask_secrets_in_urls(line)
    assert "s3cr3tS3cr3t" not in masked and "tok.en-123:abc" not in masked
    assert "/alerts/feeds/feed_AbCd1234_[key]/crossings/rafah.atom?lang=ar" in masked
    assert "/alerts/unsubscribe/[token]/" in masked


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_a_real_gunicorn_logs_feed_and_unsubscribe_requests_masked(analyst, tmp_path):
    key = alert_services.feed_token_create(user=analyst, label="reader").key
    token = unsubscribe_token(analyst)
    port, log = _free_port(), tmp_path / "access.log"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "1",  # static files from the tree (production's manifest needs collectstatic); the log is the same
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        statuses = []
        for path in (f"/alerts/feeds/{key}/all.atom?lang=fr", f"/alerts/unsubscribe/{token}/"):
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                        statuses.append(answer.status)
                    break
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == [200, 200]
    text = log.read_text()
    prefix, secret = key[: len("feed_") + 8], key[len("feed_") + 9 :]
    assert secret not in text and token not in text
    assert f"/alerts/feeds/{prefix}_[key]/all.atom?lang=fr" in text
    assert "/alerts/unsubscribe/[token]/" in text
