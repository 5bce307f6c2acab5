"""A lockout attempt against an account: the attacker is slowed down, the owner still gets in.

Issue 13, item 8.  Real sockets from distinct loopback addresses (Linux routes
all of 127.0.0.0/8 to lo), so the server sees an attacker and an owner at two
addresses; X-Forwarded-For is believed only from configured proxies.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import anyio
import httpx

from catalogue.engine import Engine
from catalogue.settings import Settings
from catalogue.web.app import create_app
from tests.faults.support import PASSWORD, Server, login

OWNER, ATTACKER, NEWCOMER = "127.0.0.7", "127.0.0.66", "127.0.0.8"


def _client(server: Server, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, follow_redirects=False, timeout=60)


def test_an_attack_on_an_account_slows_the_attacker_and_spares_the_owner(data_dir: Path) -> None:
    rng = random.Random(1308)
    with Server(data_dir) as server:
        with _client(server, OWNER) as owner:
            assert login(owner).status_code == 303  # the owner's usual address
        statuses, waits = [], []
        with _client(server, ATTACKER) as attacker:
            for _ in range(12):  # a fresh forged X-Forwarded-For each time: ignored, no proxy is configured
                forged = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
                page = attacker.get("/admin/login")
                token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
                r = attacker.post(
                    "/admin/login",
                    data={"csrf": token, "name": "alice", "password": "wrong password!!"},
                    headers={"x-forwarded-for": forged},
                )
                statuses.append(r.status_code)
                if r.status_code == 429:
                    waits.append(int(r.headers["retry-after"]))
            assert statuses[:3] == [401, 401, 401] and set(statuses[3:]) == {429}, statuses
            time.sleep(waits[-1])  # after the wait one more try is checked, and the next wait doubles
            assert login(attacker, password="wrong password!!").status_code == 401
            r = login(attacker, password="wrong password!!")
            assert r.status_code == 429 and int(r.headers["retry-after"]) > waits[-1]
            assert login(attacker).status_code == 429  # the right password waits too, from there
        with _client(server, OWNER) as owner:
            assert login(owner).status_code == 303, "the owner was locked out of their own address"
        with _client(server, NEWCOMER) as newcomer:
            assert login(newcomer).status_code == 303


def test_forwarded_addresses_count_only_from_a_configured_proxy(data_dir: Path) -> None:
    settings = Settings.load({"data_dir": str(data_dir), "trusted_proxies": "127.0.0.66"}, environ={})
    engine = Engine.open(settings)
    app = create_app(settings, engine)

    async def attempt(peer: str, forwarded: str | None, password: str) -> int:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            page = await c.get("/admin/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            headers = {"x-forwarded-for": forwarded} if forwarded else {}
            data = {"csrf": token, "name": "alice", "password": password}
            return (await c.post("/admin/login", data=data, headers=headers)).status_code

    async def scenario() -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        out["owner via proxy, first"] = [await attempt("127.0.0.66", "203.0.113.7", PASSWORD)]
        out["attacker via proxy"] = [await attempt("127.0.0.66", "203.0.113.9", "wrong password!!") for _ in range(4)]
        out["attacker spoofing a hop"] = [await attempt("127.0.0.66", "1.1.1.1, 203.0.113.9", "wrong password!!")]
        out["owner via proxy, again"] = [await attempt("127.0.0.66", "203.0.113.7", PASSWORD)]
        out["direct peer forging the header"] = [
            await attempt("10.5.5.5", f"198.51.100.{i}", "wrong password!!") for i in range(4)
        ]
        return out

    try:
        results = anyio.run(scenario)
    finally:
        engine.close()
    assert results["owner via proxy, first"] == [303]
    assert results["attacker via proxy"] == [401, 401, 401, 429]
    assert results["attacker spoofing a hop"] == [429]  # the proxy's own hop is the one believed
    assert results["owner via proxy, again"] == [303]
    assert results["direct peer forging the header"] == [401, 401, 401, 429]  # counted against 10.5.5.5
