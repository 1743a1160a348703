"""Every instant the API and the CLI print: ISO 8601 with the Hanoi offset (issue 9, item 8).

A sample across the outputs that printed ``Z``, ``+00:00`` or ``2026-11-30 10:05`` before:
the audit log, users and keys over HTTP, ``user list`` / ``user keys`` / ``decision list``
on the CLI, and a gate's recorded locations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from api.app import create_app
from api.cli.commands import main
from geo.common.security import Role
from geo.common.timeutil import json_default, stamp
from tests.api.security.security_support import (
    drop_users,
    key_header,
    make_user,
    settings,
)

HANOI_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")
INSTANT_IN_TEXT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")


def test_stamp__one_format_whatever_the_offset():
    utc = datetime(2026, 11, 30, 3, 5, 7, tzinfo=UTC)
    assert stamp(utc) == "2026-11-30T10:05:07+07:00"
    assert stamp(datetime(2026, 11, 30, 10, 5, 7)) == "2026-11-30T10:05:07+07:00"  # naive
    assert stamp(date(2026, 11, 30)) == "2026-11-30" and stamp(None) is None
    assert json_default(utc) == "2026-11-30T10:05:07+07:00"


def test_http__audit_users_and_keys_in_hanoi_time(db_url, loaded, engine):
    name, key = make_user(engine, Role.ADMIN)
    try:
        with TestClient(create_app(settings(), url=db_url)) as client:
            headers = key_header(key)
            audit = client.get("/v1/admin/audit", headers=headers, params={"limit": 5})
            users = client.get("/v1/admin/users", headers=headers)
            keys = client.get(f"/v1/admin/users/{name}/keys", headers=headers)
        assert audit.status_code == users.status_code == keys.status_code == 200, keys.text
        stamps = [e["at"] for e in audit.json()]
        stamps += [u["created_at"] for u in users.json() if u["name"] == name]
        stamps += [k["created_at"] for k in keys.json()]
        assert len(stamps) >= 3
        assert all(HANOI_ISO.match(s) for s in stamps), stamps
    finally:
        drop_users(engine, [name])


def test_cli__user_list_keys_and_decision_list_in_hanoi_time(db_url, loaded, engine,
                                                             monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    name, _ = make_user(engine, Role.PLANNER)
    try:
        assert main(["user", "list"]) == 0
        listed = capsys.readouterr().out
        assert main(["user", "keys", name]) == 0
        keys = capsys.readouterr().out
        assert main(["decision", "list", "--province", "08", "--limit", "3"]) == 0
        decisions = capsys.readouterr()
    finally:
        drop_users(engine, [name])
    line = next(x for x in listed.splitlines() if x.startswith(name))
    assert HANOI_ISO.match(INSTANT_IN_TEXT.search(line).group(0)), line
    key_stamp = INSTANT_IN_TEXT.search(keys).group(0)
    assert HANOI_ISO.match(key_stamp), keys
    for text in (decisions.out, decisions.err):
        for match in INSTANT_IN_TEXT.finditer(text):
            assert HANOI_ISO.match(match.group(0)), match.group(0)
    assert "status at " in decisions.err
