"""Helpers for the decision tests: request bodies, tokens, clients, test gates.

Decisions are legal records that can never be deleted, and the test database is shared, so
every number made here is unique (``uid``). Tests that do not need real commits run through
``tx_client``: the API works in savepoints of the test's rolled-back transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.routers.decisions import get_bind
from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI
from tests.api.security.security_support import ensure_user, settings

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=HANOI)  # in the past: acts are recorded after signing
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
LAW = "Law 66/2020/QH14"
LUNG_CU = "00715"  # Lũng Cú, Tuyên Quang (08): on the China border, has a border belt

ROLES = {
    "post": "border_post_commander",
    "commander": "provincial_bdbp_commander",
    "committee": "provincial_peoples_committee",
    "chairman": "provincial_peoples_committee_chairman",
    "pm": "prime_minister",
}
UNITS = {
    "post": ("Đồn Biên phòng Lũng Cú", "Thiếu tá"),
    "commander": ("Ban Chỉ huy Bộ đội Biên phòng tỉnh Tuyên Quang", "Đại tá"),
    "committee": ("Ủy ban nhân dân tỉnh Tuyên Quang", ""),
    "chairman": ("Ủy ban nhân dân tỉnh Lạng Sơn", ""),
    "pm": ("Chính phủ", ""),
}
#: Gates of Lạng Sơn (20) by type; no border opening is listed, so tests add one (rolled back).
GATES = {"main": "VN-GATE-007", "auxiliary": "VN-GATE-008", "international": "VN-GATE-010",
         "border_opening": "TEST-LOI-MO"}
OFFICER = Principal(subject="officer-test", roles=frozenset({Role.OFFICER}),
                    provinces=frozenset({"08", "20"}))
SQUARE_LONLAT = [[105.30, 23.33], [105.31, 23.33], [105.31, 23.34], [105.30, 23.34],
                 [105.30, 23.33]]


def uid(prefix: str = "QĐ") -> str:
    return f"{uuid.uuid4().hex[:8]}/{prefix}-TEST"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def issuer(who: str) -> dict:
    unit, rank = UNITS[who]
    return {"role": ROLES[who], "unit_name": unit, "signer_name": "Nguyễn Văn An",
            "signer_rank": rank}


def decision_body(scope: str = "border_belt", who: str = "post", hours: float = 12,
                  gate_type: str | None = None, *, start: datetime = T0, **changes) -> dict:
    gate = scope == "gate"
    area = ({"kind": "belt_in_communes", "commune_codes": [LUNG_CU]} if scope == "border_belt"
            else {"kind": "communes", "commune_codes": [LUNG_CU]} if not gate else None)
    body = {
        "number": uid(), "kind": "restrict", "scope": scope,
        "activities": ["gate_crossing"] if gate else ["enter_leave_zone", "market"],
        "area": area, "issuer": issuer(who), "province_code": "20" if gate else "08",
        "gate_id": GATES[gate_type] if gate else None, "gate_type": gate_type,
        "reason_code": "disaster_epidemic", "reason_text": "mưa lũ gây sạt lở đất",
        "recipients": {"domestic": ["Công an tỉnh Tuyên Quang"],
                       "neighbour_force": "Trạm Biên phòng Long Phú (Trung Quốc)"},
        "valid_from": iso(start), "valid_to": iso(start + hours * H),
        "signed_at": iso(start - H / 2),
    }
    body.update(changes)
    return body


def extension_body(new_valid_to: datetime, who: str, signed_at: datetime, **changes) -> dict:
    body = {"number": uid("GH"), "new_valid_to": iso(new_valid_to), "issuer": issuer(who),
            "reason_text": "mưa lũ tiếp diễn", "signed_at": iso(signed_at)}
    body.update(changes)
    return body


def revocation_body(effective_at: datetime, who: str, **changes) -> dict:
    body = {"number": uid("BB"), "effective_at": iso(effective_at), "issuer": issuer(who),
            "reason_text": "tình hình đã trở lại bình thường"}
    body.update(changes)
    return body


def auth(client: TestClient, principal: Principal = OFFICER) -> dict:
    ensure_user(client.app.state.engine, principal)
    token, _ = client.app.state.auth.mint(principal)
    return {"Authorization": f"Bearer {token}"}


def path(number: str, suffix: str = "") -> str:
    return f"/v1/decisions/{number}{suffix}"


def db_clock(engine) -> datetime:
    """The database's clock now, from a fresh transaction (after every earlier commit)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT clock_timestamp()")).scalar_one()


def add_test_gates(conn) -> None:
    """In the test's (rolled-back) transaction: a border opening, and an approved checkpoint
    area for each test gate, so gate decisions can resolve their area."""
    conn.execute(text(
        "INSERT INTO gate (id, name, name_ascii, gate_type, neighbour_iso3, province_code, "
        "source) VALUES (:id, 'Bản Thử', 'Ban Thu', 'border_opening', 'CHN', '20', 'test')"),
        {"id": GATES["border_opening"]})
    for gate_id in GATES.values():
        conn.execute(text(
            "INSERT INTO checkpoint_area (gate_id, version, status, source, geom) VALUES "
            "(:g, 999, 'approved', 'test', ST_Multi(ST_MakeEnvelope(106.90, 21.70, 106.91, "
            "21.71, 4326)))"), {"g": gate_id})


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def client(db_url, loaded):
    app = create_app(settings(), url=db_url)
    with TestClient(app) as c:
        yield c


@pytest.fixture()
def tx_client(client, conn):
    """The API working inside the test's transaction (rolled back at the end)."""
    client.app.dependency_overrides[get_bind] = lambda: conn
    try:
        yield client
    finally:
        client.app.dependency_overrides.pop(get_bind, None)
