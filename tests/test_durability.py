"""Acknowledged writes survive a killed worker, and numbering stays gap-free across processes.

Clients write entries through a real multi-process server over a SQLite file; one worker is
killed with SIGKILL in the middle, then the whole server, without a clean shutdown. A fresh
server on the same file must hold every entry that was acknowledged, with its numbers, and the
journal numbers must still run 1..n without a gap (a Put cut off before its commit consumes none).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from served import Served

from tpn.mocks.noark4ws.model import NS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the workers"),
]

ENVELOPE = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n="' + NS + '">'
    "<s:Body>{}</s:Body></s:Envelope>"
)
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def put_case(http: requests.Session, url: str) -> None:
    body = ENVELOPE.format(
        "<n:PutNoarksakRequest><n:noarksak><n:saTittel>Varig sak</n:saTittel>"
        "<n:saEksternNokkel><n:eksternSystem>durability</n:eksternSystem><n:nokkel>1</n:nokkel>"
        "</n:saEksternNokkel></n:noarksak></n:PutNoarksakRequest>"
    )
    r = http.post(url, data=body.encode(), headers=HEADERS, timeout=10)
    assert r.status_code == 200 and 'type="OK"' in r.text, r.text


def put_entry(http: requests.Session, url: str, n: str) -> tuple[str, int] | None:
    """PutJournpost; (jpId, jpSeknr) when acknowledged, None when the request was cut off."""
    body = ENVELOPE.format(
        "<n:PutJournpostRequest><n:journpost>"
        f"<n:jpInnhold>Innkommende brev {n}</n:jpInnhold>"
        "<n:jpSaEksternNokkel><n:eksternSystem>durability</n:eksternSystem><n:nokkel>1</n:nokkel>"
        "</n:jpSaEksternNokkel></n:journpost></n:PutJournpostRequest>"
    )
    try:
        r = http.post(url, data=body.encode(), headers=HEADERS, timeout=10)
    except requests.RequestException:
        return None
    if r.status_code != 200:
        return None
    assert 'type="OK"' in r.text, r.text
    jp_id = re.search(r"<tns:jpId>(\d+)</tns:jpId>", r.text)
    seknr = re.search(r"<tns:jpSeknr>(\d+)</tns:jpSeknr>", r.text)
    assert jp_id and seknr
    return jp_id.group(1), int(seknr.group(1))


def all_entries(http: requests.Session, url: str) -> list[tuple[str, int, int]]:
    body = ENVELOPE.format(
        "<n:GetJournpostRequest><n:saEksternNokkel><n:eksternSystem>durability</n:eksternSystem>"
        "<n:nokkel>1</n:nokkel></n:saEksternNokkel></n:GetJournpostRequest>"
    )
    r = http.post(url, data=body.encode(), headers=HEADERS, timeout=30)
    assert r.status_code == 200, r.text
    ids = re.findall(r"<tns:jpId>(\d+)</tns:jpId>", r.text)
    seknr = [int(x) for x in re.findall(r"<tns:jpSeknr>(\d+)</tns:jpSeknr>", r.text)]
    jpostnr = [int(x) for x in re.findall(r"<tns:jpJpostnr>(\d+)</tns:jpJpostnr>", r.text)]
    return list(zip(ids, seknr, jpostnr, strict=True))


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    server = Served(tmp_path / "archive.sqlite3", workers=2)
    server.start()
    acknowledged: list[tuple[str, int]] = []
    cut_off = 0
    stop = threading.Event()
    lock = threading.Lock()
    try:
        put_case(server.http, server.url)

        def writer(k: int) -> None:
            nonlocal cut_off
            http = requests.Session()
            http.trust_env = False
            i = 0
            while not stop.is_set():
                i += 1
                got = put_entry(http, server.url, f"{k}-{i}")
                with lock:
                    if got is None:
                        cut_off += 1
                    else:
                        acknowledged.append(got)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        workers = server.workers_pids()
        assert workers, "found no worker processes to kill"
        os.kill(workers[-1], signal.SIGKILL)  # a worker dies mid-write
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.kill()  # and then the whole server, with no clean shutdown

        restarted = Served(server.db, workers=1)
        restarted.start()
        try:
            stored = all_entries(restarted.http, restarted.url)
        finally:
            restarted.stop()
    finally:
        stop.set()
        server.kill()

    assert len(acknowledged) > 50, f"too few writes to judge ({len(acknowledged)})"
    stored_ids = {jp_id: seknr for jp_id, seknr, _ in stored}
    lost = [a for a in acknowledged if stored_ids.get(a[0]) != a[1]]
    assert not lost, f"{len(lost)} acknowledged entries lost or renumbered, e.g. {lost[:5]}"
    seknrs = sorted(s for _, s, _ in stored)
    assert seknrs == list(range(1, len(seknrs) + 1)), "jpSeknr has gaps or repeats"
    jpostnrs = sorted(j for _, _, j in stored)
    assert jpostnrs == list(range(1, len(jpostnrs) + 1)), "jpJpostnr has gaps or repeats"
    print(f"\n{len(acknowledged)} acknowledged, {cut_off} cut off, {len(stored)} stored")
