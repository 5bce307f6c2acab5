"""The secretariat workspace: access control, CSRF, lockout, editing, audit, import, backups, concurrency."""

from __future__ import annotations

import contextlib
import csv as csv_module
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalogue.accounts import ABSOLUTE_SECONDS, IDLE_SECONDS, Accounts
from catalogue.backup import backup, restore
from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.search.searcher import SearchRequest
from catalogue.settings import Settings
from catalogue.web.app import create_app
from tests.conftest import asgi, sql

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def admin_env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("admin")
    settings = Settings.load({"data_dir": str(data_dir)}, environ={})
    engine = Engine.open(settings)
    accounts = Accounts(engine.store)
    accounts.add("alice", "admin", PASSWORD)
    accounts.add("bob", "editor", PASSWORD)
    app = create_app(settings, engine)  # in process; the engine is open, so no lifespan is needed
    yield settings, engine, app, app


@contextlib.contextmanager
def client(app) -> Iterator[httpx.Client]:
    """A browser of its own (cookie jar) on the in-process app."""
    c = asgi(app)
    try:
        yield c
    finally:
        c.close()


def login(c: httpx.Client, name: str = "alice", password: str = PASSWORD) -> httpx.Response:
    page = c.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return c.post("/admin/login", data={"csrf": token, "name": name, "password": password})


def csrf_of(c: httpx.Client, path: str = "/admin") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def edit_form(c: httpx.Client, slug: str) -> dict[str, str]:
    page = c.get(f"/admin/standards/{slug}/edit").text
    fields = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', page))
    fields["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    fields["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)
    fields["status"] = "active"
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def _sample_path(path: str) -> str:
    return (
        path.replace("{slug}", "tcvn-8430-2010")
        .replace("{qid:int}", "1")
        .replace("{number:path}", "TCVN 8430:2010")
        .replace("{slug}", "mu-bao-hiem")
    )


def test_every_admin_route_refuses_anonymous_requests(admin_env) -> None:
    _, _, app, web = admin_env
    routes = [r for r in app.routes if getattr(r, "path", "").startswith("/admin") and r.path != "/admin/login"]
    assert len(routes) >= 15
    with client(web) as c:
        for route in routes:
            for method in sorted(route.methods - {"HEAD"}):
                r = c.request(method, _sample_path(route.path), data={"csrf": "x"})
                if route.path.startswith("/admin/api/"):
                    assert r.status_code == 401, (method, route.path)
                else:
                    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login"), (
                        method,
                        route.path,
                        r.status_code,
                    )


def test_login_sets_a_hardened_cookie_and_admin_pages_are_not_cached(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        r = login(c)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = c.get("/admin")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"


def test_secure_cookie_when_https_is_set(tmp_path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path), "https": True}, environ={})
    engine = Engine.open(settings)
    Accounts(engine.store).add("carol", "editor", PASSWORD)
    with client(create_app(settings, engine)) as c:
        # over plain HTTP the client will not send a Secure cookie back: the flag itself is the point
        assert "secure" in c.get("/admin/login").headers["set-cookie"].lower()


def test_secret_key_is_generated_once_with_0600(admin_env) -> None:
    settings, *_ = admin_env
    path = settings.data_path / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert settings.session_secret() == path.read_text().strip()


def test_wrong_or_missing_csrf_gets_403_and_changes_nothing(admin_env) -> None:
    _, engine, _, web = admin_env
    with client(web) as c:
        login(c)
        form = edit_form(c, "tcvn-8430-2010")
        before = engine.store.get("TCVN 8430:2010").version
        for token in ("", "forged"):
            r = c.post("/admin/standards/tcvn-8430-2010/edit", data={**form, "csrf": token, "title_en": "hacked"})
            assert r.status_code == 403
        r = c.post("/admin/api/standards/TCVN 8430:2010", json={"title_en": "hacked", "version": before})
        assert r.status_code == 403
        assert engine.store.get("TCVN 8430:2010").version == before


def test_malformed_versions_are_a_clear_400(admin_env) -> None:
    _, engine, _, web = admin_env
    with client(web) as c:
        login(c)
        form = edit_form(c, "tcvn-8430-2010")
        before = engine.store.get("TCVN 8430:2010").version
        for version in ("abc", "", "1.5"):
            r = c.post(
                "/admin/standards/tcvn-8430-2010/withdraw",
                data={"csrf": form["csrf"], "version": version, "decision": "1/QĐ"},
            )
            assert r.status_code == 400, version
            r = c.post(
                "/admin/api/standards/TCVN 8430:2010", json={"version": version}, headers={"X-CSRF-Token": form["csrf"]}
            )
            assert r.status_code == 400 and r.json()["error"]["message"]
        assert engine.store.get("TCVN 8430:2010").version == before


def test_brute_force_is_slowed_down_progressively(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        statuses = [login(c, "bob", "wrong password!!").status_code for _ in range(5)]
        assert statuses[:3] == [401, 401, 401] and 429 in statuses[3:]
        r = login(c, "bob", PASSWORD)  # from this address the right password waits too
        assert r.status_code == 429
        assert "Too many failed logins" in r.text and int(r.headers["retry-after"]) >= 1


def test_editor_cannot_manage_users(admin_env) -> None:
    _, engine, app, _ = admin_env
    Accounts(engine.store).add("dave", "editor", PASSWORD)
    with client(app) as c:
        login(c, "dave")
        assert c.get("/admin/users").status_code == 403
        assert c.get("/admin").status_code == 200


def test_session_cookie_is_worthless_after_logout(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        login(c)
        stolen = dict(c.cookies)
        c.post("/admin/logout", data={"csrf": csrf_of(c)})
    with client(web) as thief:
        thief.cookies.update(stolen)
        assert thief.get("/admin").status_code == 303


def test_idle_and_absolute_expiry(admin_env) -> None:
    _, engine, _, _ = admin_env
    now = [1_000_000.0]
    accounts = Accounts(engine.store, clock=lambda: now[0])
    session = accounts.login("alice", PASSWORD, "10.0.0.9")
    now[0] += IDLE_SECONDS - 5
    assert accounts.session(session.id) is not None
    now[0] += IDLE_SECONDS + 5
    assert accounts.session(session.id) is None
    session = accounts.login("alice", PASSWORD, "10.0.0.9")
    for _ in range(ABSOLUTE_SECONDS // (IDLE_SECONDS - 60) + 1):
        now[0] += IDLE_SECONDS - 60
        last = accounts.session(session.id)
    assert last is None


def test_edit_is_visible_in_public_search_and_audited(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        login(c)
        form = edit_form(c, "tcvn-5107-2003")
        form["title_vi"] = "Nước mắm truyền thống Phú Quốc"
        assert c.post("/admin/standards/tcvn-5107-2003/edit", data=form).status_code == 303
        hits = c.get("/api/search", params={"q": "phu quoc"}).json()["hits"]
        assert hits and hits[0]["number"] == "TCVN 5107:2003"
        history = c.get("/admin/standards/tcvn-5107-2003/history").text
        assert "Phú Quốc" in history and "alice" in history
        audit_csv = c.get("/admin/audit.csv").text
        assert "title_vi" in audit_csv and "Phú Quốc" in audit_csv


def test_two_editors_on_one_record_the_second_is_refused_with_a_diff(admin_env) -> None:
    _, engine, _, web = admin_env
    with client(web) as first, client(web) as second:
        login(first)
        login(second)
        a, b = edit_form(first, "tcvn-6096-2010"), edit_form(second, "tcvn-6096-2010")
        a["title_en"] = "First editor's title"
        b["title_en"] = "Second editor's title"
        assert first.post("/admin/standards/tcvn-6096-2010/edit", data=a).status_code == 303
        refused = second.post("/admin/standards/tcvn-6096-2010/edit", data=b)
        assert refused.status_code == 409
        assert "Khác biệt" in refused.text and "Second editor&#39;s title" in refused.text
    assert engine.store.get("TCVN 6096:2010").title_en == "First editor's title"


def test_stored_xss_and_sql_injection_are_stored_literally_and_escaped(admin_env) -> None:
    _, engine, _, web = admin_env
    xss = "<script>alert(1)</script>"
    sqli = "'); DROP TABLE standards; --"
    with client(web) as c:
        login(c)
        form = edit_form(c, "tcvn-12605-2019")
        form.update(title_vi=f"Mật ong {xss}", title_en=sqli, technical_committee=sqli, decision=sqli, scope_vi=sqli)
        assert c.post("/admin/standards/tcvn-12605-2019/edit", data=form).status_code == 303
        record = engine.store.get("TCVN 12605:2019")
        assert record.title_vi == f"Mật ong {xss}" and record.title_en == sqli and record.decision == sqli
        for path in (
            "/standards/tcvn-12605-2019",
            "/search?q=mat+ong",
            "/admin/standards/tcvn-12605-2019/history",
            "/admin/audit",
            "/admin/standards/tcvn-12605-2019/edit",
        ):
            page = c.get(path).text
            assert xss not in page, path
    assert engine.store.count() > 1000


def test_withdraw_and_replace(admin_env) -> None:
    _, engine, _, web = admin_env
    with client(web) as c:
        login(c)
        before = engine.store.get("TCVN 6096:2004")
        form = edit_form(c, "tcvn-6096-2004")
        ask = {"csrf": form["csrf"], "version": form["version"], "decision": "123/QĐ-BKHCN", "date": "2011-01-01"}
        confirm = c.post("/admin/standards/tcvn-6096-2004/withdraw", data=ask)  # step 1: a confirmation page
        assert confirm.status_code == 200 and 'name="confirmed" value="yes"' in confirm.text
        assert "123/QĐ-BKHCN" in confirm.text and engine.store.get("TCVN 6096:2004").version == before.version
        bad = c.post("/admin/standards/tcvn-6096-2004/withdraw", data={**ask, "date": "2011-02-30", "confirmed": "yes"})
        assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
        assert engine.store.get("TCVN 6096:2004").version == before.version  # nothing written
        r = c.post("/admin/standards/tcvn-6096-2004/withdraw", data={**ask, "confirmed": "yes"})  # step 2: yes
        assert r.status_code == 303
        done = engine.store.get("TCVN 6096:2004")
        assert (done.status, done.withdrawn_by, done.withdrawn_date) == ("withdrawn", "123/QĐ-BKHCN", "2011-01-01")
        assert (done.decision, done.decision_date) == (before.decision, before.decision_date)  # issuing one kept
        assert "Đã hủy bỏ tiêu chuẩn." in c.get(r.headers["location"]).text  # the message, shown once
        public = c.get("/standards/tcvn-6096-2004").text
        withdrawn = re.search(r'<dd class="withdrawn-by"[^>]*>([^<]*)</dd>', public).group(1)
        assert withdrawn == "123/QĐ-BKHCN, 2011-01-01"
        if before.decision:
            assert before.decision in public and before.decision not in withdrawn
        form = (
            edit_form(c, "tcvn-5943-1995") if c.get("/admin/standards/tcvn-5943-1995/edit").status_code == 200 else None
        )
    old, new = "TCVN 7745:2007", "TCVN 13113:2020"
    editor = Editor(engine)
    editor.replace(old, new, "alice", engine.store.get(old).version)
    assert new in engine.store.get(old).replaced_by and old in engine.store.get(new).replaces
    assert engine.store.get(old).status == "replaced"


def test_audit_log_is_append_only(admin_env) -> None:
    _, engine, _, _ = admin_env
    assert engine.store.audit.count() > 0
    with pytest.raises(sqlite3.DatabaseError):
        sql(engine.store, "UPDATE audit_log SET user = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError):
        sql(engine.store, "DELETE FROM audit_log")


def test_import_preview_apply_and_idempotence(admin_env, tmp_path) -> None:
    _, engine, _, web = admin_env
    rows = [{"number": "TCVN 99201:2024", "title_vi": "Bánh đa nem"}, {"number": "TCVN ABC", "title_vi": "x"}]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with client(web) as c:
        login(c)
        for expected_new in (1, 0):
            token = csrf_of(c, "/admin/import")
            preview = c.post("/admin/import", data={"csrf": token}, files={"file": ("batch.jsonl", path.read_bytes())})
            assert preview.status_code == 200 and "bad number" in preview.text
            upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
            done = c.post("/admin/import/apply", data={"csrf": token, "token": upload})
            assert f"new {expected_new}" in done.text
        bad = c.post("/admin/import", data={"csrf": token}, files={"file": ("x.exe", b"MZ")})
        assert bad.status_code == 400
    assert engine.search(SearchRequest(q="banh da nem")).hits[0].number == "TCVN 99201:2024"


def test_a_large_import_streams(tmp_path) -> None:
    """A 10 MB file (the bundled records, repeated) needs little more memory than a 1 MB one."""
    from catalogue.seed import DATA_DIR

    rows = [json.loads(line) for line in (DATA_DIR / "standards.jsonl").read_text(encoding="utf-8").splitlines()]
    lines = (
        "\n".join(
            json.dumps({k: r[k] for k in ("number", "title_vi", "title_en", "scope_vi")}, ensure_ascii=False)
            for r in rows
            if r["title_vi"]
        )
        + "\n"
    )
    script = (
        "import resource, sys; from catalogue.engine import Engine; from catalogue.settings import Settings;"
        "from catalogue.importer import import_file;"
        "e = Engine.open(Settings.load({'data_dir': sys.argv[1]}, environ={}));"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; s = import_file(e, sys.argv[2]);"
        "print(s.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)"
    )
    growth = {}
    for mb in (1, 10):
        path = tmp_path / f"batch{mb}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            while fh.tell() < mb * 2**20:
                fh.write(lines)
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"data{mb}"), str(path)],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
        ).stdout.split()
        growth[mb] = int(out[1]) / 1024  # MB of resident memory the import added
        assert int(out[0]) > 1000 * mb
    assert growth[10] - growth[1] < 30, growth  # nowhere near 10× the file: rows stream


def test_crawl_review_fix_and_accept(admin_env) -> None:
    from indexer.crawl.frontier import Frontier

    _, engine, _, web = admin_env
    frontier = Frontier(engine.store, "vsqi")
    frontier.run_id = None
    with engine.store.transaction() as tx:
        frontier.quarantine(
            tx,
            "http://example.invalid/tieuchuan/view?sohieu=X",
            "no title",
            {"fields": {"number": ["TCVN 99301:2024"]}},
        )
    qid = frontier.quarantined()[0]["id"]
    with client(web) as c:
        login(c)
        page = c.get("/admin/crawl").text
        assert "no title" in page and "TCVN 99301:2024" in page
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = c.post(
            f"/admin/crawl/{qid}/accept",
            data={
                "csrf": token,
                "number": "TCVN 99301:2024",
                "title_vi": "Bún gạo khô",
                "url": "http://example.invalid/x",
            },
        )
        assert r.status_code == 303
    assert engine.store.get("TCVN 99301:2024").title_vi == "Bún gạo khô"
    assert all(q["id"] != qid for q in frontier.quarantined())


def test_group_links_need_a_basis(admin_env) -> None:
    _, engine, _, web = admin_env
    with client(web) as c:
        login(c)
        page = c.get("/admin/groups/mu-bao-hiem").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        data = {
            "csrf": token,
            "version": version,
            "name_vi": "Mũ bảo hiểm",
            "name_en": "Helmets",
            "synonyms": "mũ bảo hiểm\n<b>nón</b>",
            "hs": "6506.10",
            "ics": "43.140",
            "regulations": "QCVN 2:2021/BKHCN",
            "standards": "",
        }
        assert c.post("/admin/groups/mu-bao-hiem", data=data).status_code == 400
        data["regulations"] = "QCVN 2:2021/BKHCN | title"
        assert c.post("/admin/groups/mu-bao-hiem", data=data).status_code == 303
        assert "&lt;b&gt;nón&lt;/b&gt;" in c.get("/groups/mu-bao-hiem").text
    assert engine.recommender.taxonomy.group("mu-bao-hiem").synonyms == ["mũ bảo hiểm", "<b>nón</b>"]


def test_user_management(admin_env) -> None:
    _, engine, _, _ = admin_env
    accounts = Accounts(engine.store)
    with pytest.raises(InvalidInput):
        accounts.add("eve", "editor", "short")
    with pytest.raises(InvalidInput):
        accounts.add("alice", "editor", PASSWORD)
    accounts.add("frank", "editor", PASSWORD)
    session = accounts.login("frank", PASSWORD, "10.1.1.1")
    accounts.disable("frank")
    assert accounts.session(session.id) is None
    assert "$argon2" in sql(engine.store, "SELECT password_hash FROM users WHERE name = 'frank'")[0][0]


def test_backup_and_restore_round_trip(tmp_path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path / "live")}, environ={})
    engine = Engine.open(settings)
    record = engine.store.get("TCVN 8430:2010")
    record.title_en = "Backed up title"
    Editor(engine).save(record, "alice", expected_version=record.version)
    manifest = backup(settings, tmp_path / "bk")
    assert manifest["standards"] == engine.store.count()
    record = engine.store.get("TCVN 8430:2010")
    record.title_en = "Changed after the backup"
    Editor(engine).save(record, "alice", expected_version=record.version)
    engine.close()
    restore(settings, tmp_path / "bk")
    again = Engine.open(settings)
    assert again.store.get("TCVN 8430:2010").title_en == "Backed up title"
    assert again.search(SearchRequest(q="backed up title")).hits[0].number == "TCVN 8430:2010"
    (tmp_path / "bk" / "catalogue.sqlite3").write_bytes(b"damaged")
    with pytest.raises(InvalidInput):
        restore(settings, tmp_path / "bk")


def test_four_processes_edit_while_searches_run(tmp_path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    engine = Engine.open(settings)
    numbers = [r.number for r in engine.store.all() if r.title_vi][:8]
    stop = threading.Event()
    errors: list[str] = []

    def searches() -> None:
        while not stop.is_set():
            try:
                engine.search(SearchRequest(q="nuoc"))
            except Exception as exc:
                errors.append(repr(exc))

    searcher = threading.Thread(target=searches)
    searcher.start()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "concurrent_editor.py"),
                str(tmp_path),
                f"p{i}",
                "5",
                *numbers[2 * i : 2 * i + 2],
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for i in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    stop.set()
    searcher.join()
    assert errors == []
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-500:] for o in outputs]
    assert [int(o[0].strip()) for o in outputs] == [10, 10, 10, 10]
    for i in range(4):  # no lost update: each record carries its editor's last round
        for number in numbers[2 * i : 2 * i + 2]:
            assert engine.store.get(number).title_en == f"p{i} round 4"
    audit = Editor(engine).history(limit=1000)
    assert sum(1 for e in audit if e["action"] == "edit") == 40
    # the index on disk matches the store exactly, with no catch-up needed
    from whoosh import index as whoosh_index

    assert engine.index.catch_up(engine.store) == 0
    with whoosh_index.open_dir(str(engine.index.current_dir)).searcher() as on_disk:
        indexed = {f["number"]: f for f in on_disk.all_stored_fields()}
    assert len(indexed) == engine.store.count()
    for record in engine.store.all():
        assert indexed[record.number].get("title_en_text") == record.title_en
        assert indexed[record.number]["status"] == record.status
    # and the long-lived searcher of this process sees the other processes' commits (within a bounded wait)
    deadline = time.monotonic() + 10
    while engine.search(SearchRequest(q=numbers[0])).hits[0].title_en != "p0 round 4":
        assert time.monotonic() < deadline, "this process's searcher never saw the other processes' commits"
        time.sleep(0.05)


# -- the worklist and the quality page (catalogue/web/worklist.py) ------------------------
@pytest.fixture(scope="module")
def gina(admin_env) -> str:
    """An editor of her own: other tests lock bob out on purpose."""
    Accounts(admin_env[1].store).add("gina", "editor", PASSWORD)
    return "gina"


def test_worklist_and_quality_page_refuse_anonymous_users(admin_env) -> None:
    _, engine, _, server = admin_env
    before = engine.store.get("TCVN 4091:1985").version
    with client(server) as c:
        for path in ("/admin/worklist", "/admin/worklist?problem=no_title", "/admin/quality"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/admin/login"), path
            assert "TCVN" not in r.text
        r = c.post("/admin/worklist/tcvn-4091-1985", data={"csrf": "x", "status": "active", "ref": "x"})
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
    assert engine.store.get("TCVN 4091:1985").version == before


def test_worklist_filters_by_problem_kind_and_text(admin_env, gina: str) -> None:
    _, engine, _, server = admin_env
    untitled = sum(1 for r in engine.store.all() if not (r.title_vi or r.title_en))
    with client(server) as c:
        login(c, gina)
        page = c.get("/admin/worklist", params={"problem": "no_title"}).text
        assert f"{untitled} bản ghi" in page
        numbers = re.findall(r'<tr data-number="([^"]+)"', page)
        assert numbers and all(not (engine.store.get(n).title_vi or engine.store.get(n).title_en) for n in numbers)
        qcvn = c.get("/admin/worklist", params={"problem": "unknown_status", "kind": "QCVN"}).text
        assert all(n.startswith("QCVN") for n in re.findall(r'<tr data-number="([^"]+)"', qcvn))
        one = c.get("/admin/worklist", params={"q": "4091"}).text
        assert re.findall(r'<tr data-number="([^"]+)"', one) == ["TCVN 4091:1985"]
        assert 'data-problem="citation_only"' in c.get("/admin/worklist", params={"problem": "citation_only"}).text
        assert "QCVN 01:2026/BXD" in page  # kept aside until confirmed, shown here only
        assert c.get("/admin/worklist", params={"problem": "nonsense"}).status_code == 400


def test_confirming_a_status_goes_through_the_write_path_with_audit(admin_env, gina: str) -> None:
    _, engine, _, server = admin_env
    record = engine.store.get("TCVN 4091:1985")
    assert record.status == "unknown"
    with client(server) as c:
        login(c, gina)
        form = c.get("/admin/worklist/tcvn-4091-1985").text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        data = {"csrf": token, "version": version, "status": "replaced", "source_kind": "legal_text"}
        missing = c.post("/admin/worklist/tcvn-4091-1985", data={**data, "ref": " "})
        assert missing.status_code == 400 and "cần nêu nguồn" in missing.text
        assert engine.store.get("TCVN 4091:1985").version == record.version
        ref = "https://example.org/thong-tu-hypothetical"  # a test source; the test store is thrown away
        done = c.post("/admin/worklist/tcvn-4091-1985", data={**data, "ref": ref, "quote": "thay thế TCVN 4091:1985"})
        assert done.status_code == 303
        stale = c.post("/admin/worklist/tcvn-4091-1985", data={**data, "ref": ref})
        assert stale.status_code == 409
    saved = engine.store.get("TCVN 4091:1985")
    assert (saved.status, saved.status_basis) == ("replaced", "stated")
    assert saved.status_reason == {
        "ref": ref,
        "kind": "legal_text",
        "trust": "official",
        "by": gina,
        "quote": "thay thế TCVN 4091:1985",
    }
    assert saved.sources[-1]["confirmed_by"] == gina
    entry = Editor(engine).history("TCVN 4091:1985")[0]
    assert entry["action"] == "confirm" and entry["user"] == gina
    assert entry["changes"]["status"] == {"from": "unknown", "to": "replaced"}
    with client(server) as c:
        assert "Theo văn bản pháp luật (example.org)" in c.get("/standards/tcvn-4091-1985").text


def test_confirming_a_title_from_the_official_page(admin_env) -> None:
    _, engine, _, server = admin_env
    record = next(r for r in engine.store.all() if not (r.title_vi or r.title_en) and r.status == "unknown")
    with client(server) as c:
        login(c)
        form = c.get(f"/admin/worklist/{record.slug}").text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        data = {
            "csrf": token,
            "version": str(record.version),
            "title_vi": "Tên thử nghiệm",  # test data on a throw-away store
            "source_kind": "official_page",
            "ref": "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=test",
        }
        assert c.post(f"/admin/worklist/{record.slug}", data=data).status_code == 303
    saved = engine.store.get(record.number)
    assert saved.title_vi == "Tên thử nghiệm" and saved.status == "unknown"  # only the title was confirmed
    assert Editor(engine).history(record.number)[0]["changes"]["title_vi"]["to"] == "Tên thử nghiệm"


def test_quality_page_gives_coverage_by_kind_ministry_and_ics_field(admin_env, gina: str) -> None:
    _, engine, _, server = admin_env
    records = list(engine.store.all())
    with client(server) as c:
        login(c, gina)
        c.cookies.set("lang", "en")
        page = c.get("/admin/quality").text
    kind = page[page.index('data-figures="kind"') :].split("</table>", 1)[0]
    assert f"<td>TCVN</td><td>{sum(r.kind == 'TCVN' for r in records)}</td><td>11650</td>" in kind
    ministry = page[page.index('data-figures="ministry"') :].split("</table>", 1)[0]
    assert f">BXD</a></td><td>{sum(r.kind == 'QCVN' and r.ministry == 'BXD' for r in records)}</td>" in ministry
    assert "91 Construction materials and building" in page
    assert "By status basis" in page and "unknown status" in page


# -- issue 14: admin, exports ------------------------------------------------------------------------
def _form_fields(html: str) -> dict[str, str]:
    """The inputs, selected options and textareas of the first form in ``html``, unescaped."""
    import html as html_lib

    form = re.search(r"<form method=\"post\".*?</form>", html, re.S).group(0)
    fields = {n: v for n, v in re.findall(r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', form)}
    fields |= {n: v for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    fields |= dict(re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S))
    for name, options in re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)', options)
        fields[name] = (chosen.group(1) if chosen.group(1) is not None else chosen.group(2)) if chosen else ""
    return {k: html_lib.unescape(v) for k, v in fields.items()}


def test_saving_an_edit_says_so_once_in_the_admins_language(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        login(c)
        for lang, message in (("vi", "Đã lưu."), ("en", "Saved.")):
            c.cookies.set("lang", lang)
            form = edit_form(c, "tcvn-7745-2007")
            form["title_en"] = f"Rice flour ({lang}, synthetic edit)"
            r = c.post("/admin/standards/tcvn-7745-2007/edit", data=form)
            assert r.status_code == 303
            shown = c.get(r.headers["location"]).text
            assert f'<p class="notice" role="status" data-flash>{message}</p>' in shown
            assert "data-flash" not in c.get(r.headers["location"]).text  # once
        c.cookies.set("lang", "vi")


def test_a_formula_title_is_neutralised_in_the_search_csv_and_the_audit_csv(admin_env) -> None:
    """A synthetic record made through the admin's form (the real write path) in this module's temp store."""
    _, engine, _, web = admin_env
    formula = '=HYPERLINK("http://example.invalid","synthetic")'
    with client(web) as c:
        login(c)
        token = csrf_of(c, "/admin/standards/new")
        r = c.post(
            "/admin/standards/new",
            data={"csrf": token, "number": "TCVN 99401:2024", "title_vi": formula, "status": "active"},
        )
        assert r.status_code == 303 and engine.store.get("TCVN 99401:2024").title_vi == formula
        search = c.get("/search.csv", params={"q": "TCVN 99401:2024"})
        assert search.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv_module.DictReader(io.StringIO(search.text[1:])))
        assert [row["title_vi"] for row in rows if row["number"] == "TCVN 99401:2024"] == ["'" + formula]
        audit = c.get("/admin/audit.csv")
        assert audit.content.startswith(b"\xef\xbb\xbf")
        cells = [row for row in csv_module.reader(io.StringIO(audit.text[1:])) if row[4] == "TCVN 99401:2024"]
        titles = [row[7] for row in cells if row[5] == "title_vi"]
        assert titles == ["'" + formula]
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in cells for cell in row)


def test_import_shows_the_real_file_name_and_the_records_history_lists_it(admin_env, tmp_path) -> None:
    _, engine, _, web = admin_env
    before = engine.store.get("TCVN 5107:2003")
    name = "Danh mục tháng 5.csv"
    body = (
        "\ufeffnumber,title_vi,title_en,status\r\n"
        f"TCVN 5107:2003,{before.title_vi},Fish sauce (synthetic import),Còn hiệu lực\r\n"
    ).encode()
    with client(web) as c:
        login(c)
        token = csrf_of(c, "/admin/import")
        preview = c.post("/admin/import", data={"csrf": token}, files={"file": (f"C:\\Users\\x\\{name}", body)})
        assert preview.status_code == 200
        assert f'<span class="upload-name">{name}</span>' in preview.text and f"{name}:2" in preview.text
        upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        assert upload not in re.sub(r'value="[^"]*"', "", preview.text)  # the temp name is never shown
        done = c.post("/admin/import/apply", data={"csrf": token, "token": upload})
        assert done.status_code == 200 and name in done.text and "changed 1" in done.text
        history = c.get("/admin/standards/tcvn-5107-2003/history").text
        row = next(r for r in history.split("<tr")[1:] if 'data-action="import"' in r)
        assert "Nhập từ tệp" in row and "Fish sauce (synthetic import)" in row and f"{name}:2" in row
        assert upload not in history
    assert engine.store.get("TCVN 5107:2003").status == "active"


def test_the_import_page_offers_a_template_and_column_help(admin_env) -> None:
    from indexer.sources.file import COLUMNS

    *_, web = admin_env
    with client(web) as c:
        login(c)
        page = c.get("/admin/import").text
        assert 'href="/admin/import/template.csv"' in page
        assert all(f"<code>{column}</code>" in page for column in COLUMNS)
        assert "Còn hiệu lực" in page and "withdrawn_by" in page
        template = c.get("/admin/import/template.csv")
        assert template.headers["content-type"].startswith("text/csv")
        assert template.text == "\ufeff" + ",".join(COLUMNS) + "\r\n"


def test_quarantine_fix_and_accept_prefills_and_edits_every_field(admin_env, tmp_path) -> None:
    """A synthetic imported row, bad only in its page count, is quarantined, then fixed and accepted."""
    _, engine, _, web = admin_env
    row = {
        "number": "TCVN 99402:2024",
        "title_vi": "Bánh thử nghiệm (synthetic)",
        "title_en": "Test cake (synthetic)",
        "scope_vi": "Áp dụng cho bánh thử nghiệm",
        "status": "Còn hiệu lực",
        "ics": "67.060",
        "equivalent": "CODEX STAN 1:2000",
        "degree": "MOD",
        "technical_committee": "TCVN/TC/F1",
        "decision": "1/QĐ-SYNTHETIC",
        "decision_date": "2024-01-02",
        "issue_date": "2024-01-03",
        "effective_date": "2024-02-01",
        "withdrawn_by": "2/QĐ-SYNTHETIC",
        "withdrawn_date": "2024-06-01",
        "pages": "many",
    }
    path = tmp_path / "cach-ly.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv_module.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    with client(web) as c:
        login(c)
        token = csrf_of(c, "/admin/import")
        preview = c.post("/admin/import", data={"csrf": token}, files={"file": ("cach-ly.csv", path.read_bytes())})
        upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        assert "quarantined 1" in c.post("/admin/import/apply", data={"csrf": token, "token": upload}).text
        page = c.get("/admin/crawl").text
        section = re.search(r'<section class="quarantine" id="q(\d+)".*?</section>', page, re.S)
        qid, html = section.group(1), section.group(0)
        assert "cach-ly.csv:2" in html and 'href="cach-ly.csv' not in html  # a row's origin is no link
        assert re.search(r'action="/admin/crawl/\d+/accept"', html)
        fields = _form_fields(html)
        for name in ("title_vi", "title_en", "scope_vi", "technical_committee", "decision", "issue_date"):
            assert fields[name] == row[name], name
        assert (fields["withdrawn_by"], fields["withdrawn_date"]) == ("2/QĐ-SYNTHETIC", "2024-06-01")
        assert (fields["status"], fields["ics"], fields["degree"]) == ("active", "67.060", "MOD")
        assert fields["equivalents"] == "CODEX STAN 1:2000" and fields["pages"] == "many"
        bad = c.post(f"/admin/crawl/{qid}/accept", data=fields)  # still "many" pages: refused, kept filled
        assert bad.status_code == 400 and "Bánh thử nghiệm (synthetic)" in bad.text
        assert engine.store.slugs_for(["TCVN 99402:2024"]) == {}
        fields.update(pages="12", title_en="Test cake, fixed (synthetic)", effective_date="2024-03-01")
        r = c.post(f"/admin/crawl/{qid}/accept", data=fields)
        assert r.status_code == 303 and "Đã chấp nhận bản ghi." in c.get("/admin/crawl").text
    record = engine.store.get("TCVN 99402:2024")
    assert (record.title_en, record.pages, record.effective_date) == ("Test cake, fixed (synthetic)", 12, "2024-03-01")
    assert (record.status, record.ics, record.decision) == ("active", ["67.060"], "1/QĐ-SYNTHETIC")
    assert [(e.number, e.degree) for e in record.equivalents] == [("CODEX STAN 1:2000", "MOD")]
    assert record.scope_vi == row["scope_vi"] and record.technical_committee == "TCVN/TC/F1"
    assert (record.withdrawn_by, record.withdrawn_date, record.decision_date) == (
        "2/QĐ-SYNTHETIC",
        "2024-06-01",
        "2024-01-02",
    )
    assert engine.store.audit.search(target="TCVN 99402:2024")[0]["user"] == "alice"
    assert all(q["id"] != int(qid) for q in engine.store.frontier.quarantined(100, True))


def test_the_audit_log_reads_well_and_filters(admin_env) -> None:
    *_, web = admin_env
    with client(web) as c:
        login(c)
        form = edit_form(c, "tcvn-8430-2010")
        form["title_en"] = "Unripened cheese (audit page test, synthetic)"
        assert c.post("/admin/standards/tcvn-8430-2010/edit", data=form).status_code == 303
        page = c.get("/admin/audit").text
        body = page.split("<table", 1)[1]
        assert "None" not in body and "['" not in body and "{'" not in body
        assert "(Asia/Ho_Chi_Minh)" in body and "+00:00</td>" not in body
        assert ">Sửa<" in body and ">edit<" not in body  # labels, not codes
        assert 'href="/admin/standards/tcvn-8430-2010/history"' in body
        mine = c.get("/admin/audit", params={"action": "edit", "target": "8430"}).text
        actions = set(re.findall(r'data-action="([^"]+)"', mine))
        assert actions == {"edit"} and "TCVN 8430:2010" in mine and "TCVN 5107:2003" not in mine.split("<table")[1]
        assert not re.findall(r"data-action", c.get("/admin/audit", params={"user": "nobody"}).text)
        assert not re.findall(r"data-action", c.get("/admin/audit", params={"since": "2099-01-01"}).text)
        today = re.findall(r"data-action", c.get("/admin/audit", params={"until": "2099-01-01"}).text)
        assert today
        bad = c.get("/admin/audit", params={"since": "hôm qua"})
        assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text
        c.cookies.set("lang", "en")
        english = c.get("/admin/audit").text
        assert ">Edited<" in english and "Audit log" in english
        c.cookies.set("lang", "vi")


def test_admin_pages_follow_the_page_language(admin_env) -> None:
    """In English, the admin's own words (navigation, headings, labels, buttons) carry no Vietnamese."""
    from catalogue.text import has_diacritics

    *_, web = admin_env
    pages = [
        "/admin",
        "/admin/standards?q=mat+ong",
        "/admin/standards/new",
        "/admin/standards/tcvn-8430-2010/edit",
        "/admin/standards/tcvn-8430-2010/history",
        "/admin/import",
        "/admin/crawl",
        "/admin/audit",
        "/admin/groups",
        "/admin/users",
    ]
    with client(web) as c:
        login(c)
        c.cookies.set("lang", "en")
        for path in pages:
            html = c.get(path).text
            assert '<html lang="en">' in html, path
            own = re.findall(r"<(?:h1|h2|label|button|th)\b[^>]*>([^<]*)<", html)
            own += re.findall(r"<a [^>]*>([^<]*)</a>", re.search(r'<nav class="admin".*?</nav>', html, re.S).group(0))
            vietnamese = [text for text in own if has_diacritics(text)]
            assert vietnamese == [], (path, vietnamese)
        c.cookies.set("lang", "vi")
        assert ">Nhật ký thay đổi<" in c.get("/admin/audit").text


def test_an_uploads_name_is_sanitised_for_display() -> None:
    from catalogue.web.admin_import import display_name

    assert display_name("C:\\Users\\lan\\Danh mục 5.csv") == "Danh mục 5.csv"
    assert display_name("../../etc/passwd\x00.csv") == "passwd.csv"
    assert display_name('<script>"x".csv') == "script_x_.csv"
    assert display_name("") == "upload" and display_name("...") == "upload"
    long = display_name("a" * 300 + ".jsonl")
    assert len(long) == 120 and long.endswith(".jsonl")


def test_prefill_reads_a_crawled_pages_fields_and_an_imported_row() -> None:
    """Synthetic quarantine contents, in the shapes the page reader and the import keep."""
    from catalogue.web.admin_form import FORM_FIELDS, prefill

    page = prefill(
        {
            "fields": {
                "number": ["TCVN 99701:2024"],
                "status": ["Còn hiệu lực"],
                "scope": ["Áp dụng cho", "bánh thử (synthetic)"],
                "committee": ["TCVN/TC/F1"],
                "ics": ["67.060", "67.080"],
                "equivalent": ["ISO 1:2000"],
            },
            "raw": {"Mã vạch": "x"},
        }
    )
    assert set(page) == set(FORM_FIELDS)
    assert (page["number"], page["status"], page["technical_committee"]) == ("TCVN 99701:2024", "active", "TCVN/TC/F1")
    assert page["scope_vi"] == "Áp dụng cho bánh thử (synthetic)" and page["ics"] == "67.060\n67.080"
    assert page["equivalents"] == "ISO 1:2000" and page["title_vi"] == "" and page["pages"] == ""
    row = prefill({"number": "TCVN 99702:2024", "replaces": "TCVN 1:2000; TCVN 2:2000", "status": "maybe"})
    assert row["replaces"] == "TCVN 1:2000\nTCVN 2:2000" and row["status"] == "unknown"
