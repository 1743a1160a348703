"""Which database a worker writes to and reads from (``api.replicas.topology``); no server.

The end-to-end behaviour on a real standby is in ``test_replica_live.py``.
"""

from __future__ import annotations

import os

import pytest

from api.replicas import topology
from api.settings import Settings

PRIMARY = "postgresql://bz:pw@db-primary:5432/borderzone"
R1 = "postgresql://bz:pw@db-replica-1:5432/borderzone"
R2 = "postgres://bz:pw@db-replica-2:5432/borderzone"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("DATABASE_URL", "DATABASE_READ_URLS", "BORDERZONE_READ_ONLY",
                 "BORDERZONE_PRIMARY_URL", "BORDERZONE_WORKERS"):
        monkeypatch.delenv(name, raising=False)


def _settings(**env) -> Settings:
    return Settings(_env_file=None, **env)


def test_topology__one_url_reads_and_writes_there():
    topo = topology(_settings(DATABASE_URL=PRIMARY))
    assert topo.write_url == topo.read_url == "postgresql+psycopg://bz:pw@db-primary:5432/borderzone"
    assert not topo.split


def test_topology__primary_and_replicas_split_reads_by_process():
    topo = topology(_settings(DATABASE_URL=PRIMARY, DATABASE_READ_URLS=f"{R1}, {R2}"))
    assert topo.write_url.endswith("@db-primary:5432/borderzone") and topo.split
    expected = ["db-replica-1", "db-replica-2"][os.getpid() % 2]
    assert expected in topo.read_url and topo.read_url.startswith("postgresql+psycopg://")


def test_topology__replica_only_refuses_writes_and_never_starts_the_embedded_cluster(tmp_path):
    topo = topology(_settings(DATABASE_READ_URLS=R1, BORDERZONE_HOME=str(tmp_path),
                              BORDERZONE_PRIMARY_URL="https://api-write.example"))
    assert topo.write_url is None and "db-replica-1" in topo.read_url
    assert topo.primary_hint == "https://api-write.example"
    assert not any(tmp_path.iterdir())  # no cluster was created for the missing primary


def test_topology__read_only_flag_turns_the_database_url_into_a_read_url():
    topo = topology(_settings(DATABASE_URL=R1, BORDERZONE_READ_ONLY="true"))
    assert topo.write_url is None and "db-replica-1" in topo.read_url


@pytest.mark.parametrize("workers", ["0", "-2"])
def test_settings__workers_must_be_positive(workers):
    with pytest.raises(ValueError, match="BORDERZONE_WORKERS"):
        _settings(BORDERZONE_WORKERS=workers)
