"""The embedded default database: a private PostgreSQL + PostGIS cluster for this checkout.

Used when no DATABASE_URL is configured. The cluster lives in a data directory (default
``.borderzone/`` in the working directory), listens on 127.0.0.1 only, on a free port chosen
at first start, with no unix socket, and a random password kept in ``state.json`` (mode 600).
PostgreSQL refuses to run as root, so under root the server runs as the unprivileged
``postgres`` user (created by Debian's packages) or a ``borderzone`` system user.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from geo.common.errors import StoreUnavailable

PG_MAJOR_PREFERRED = 15
APT_PACKAGES = ("postgresql-15", "postgresql-15-postgis-3")
INSTALL_HINT = (
    "apt-get update && apt-get install -y " + " ".join(APT_PACKAGES)
    + "   (or set DATABASE_URL to a PostgreSQL >= 13 server with PostGIS >= 3)"
)
SUPERUSER = "borderzone"
#: Streaming replication from and to this cluster (PostgreSQL 15's defaults, stated so a
#: changed default cannot silently break ``standby_of``); rewritten at every start, so an
#: existing cluster picks it up on its next start. pg_hba's ``replication`` lines for
#: 127.0.0.1 come from initdb and are checked by ``ensure_replication_hba``.
REPLICATION_CONF = (
    "wal_level = replica\n"
    "max_wal_senders = 10\n"
    "hot_standby = on\n"
    "hot_standby_feedback = on\n"
    "wal_keep_size = 256MB\n"
)
HBA_REPLICATION = "host    replication     all             127.0.0.1/32            scram-sha-256\n"


@dataclass(frozen=True)
class Binaries:
    """Where the server programs and the PostGIS extension files are."""

    bindir: Path
    sharedir: Path

    @property
    def has_postgis(self) -> bool:
        return (self.sharedir / "extension" / "postgis.control").exists()


def find_binaries() -> Binaries | None:
    """The newest PostgreSQL >= 13 server install on this machine, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve())
    for initdb in candidates:
        bindir = initdb.parent
        pg_config = bindir / "pg_config"
        sharedir = Path(f"/usr/share/postgresql/{bindir.parent.name}")
        if pg_config.exists():
            out = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True)
            if out.returncode == 0:
                sharedir = Path(out.stdout.strip())
        return Binaries(bindir=bindir, sharedir=sharedir)
    return None


def ensure_binaries(*, install: bool = True, log=print) -> Binaries:
    """Find PostgreSQL + PostGIS; install Debian's packages when missing and allowed."""
    found = find_binaries()
    if found and found.has_postgis:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        log("PostgreSQL/PostGIS missing: installing " + " ".join(APT_PACKAGES) + " ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env,
                       stdout=subprocess.DEVNULL)
        done = subprocess.run(["apt-get", "install", "-y", "-q", *APT_PACKAGES], env=env,
                              stdout=subprocess.DEVNULL)
        found = find_binaries()
        if done.returncode == 0 and found and found.has_postgis:
            return found
    raise StoreUnavailable(
        "PostgreSQL 15 with PostGIS 3 is not installed and could not be installed "
        f"automatically. Run as root: {INSTALL_HINT}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    """A private cluster rooted at ``home`` (the configured data directory)."""

    def __init__(self, home: Path, *, log=print, shared_buffers: str = "512MB"):
        self.home = Path(home).resolve()
        self.log = log
        self.state_file = self.home / "state.json"
        self.shared_buffers = shared_buffers

    # -- layout ---------------------------------------------------------------------------
    @property
    def pgdata(self) -> Path:
        pointer = self.home / "pgdata-location"
        if pointer.exists():
            return Path(pointer.read_text().strip())
        return self.home / "pgdata"

    def state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def _save_state(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2))
        self.state_file.chmod(0o600)

    # -- running programs as the unprivileged owner -----------------------------------------
    def _owner(self) -> str | None:
        if os.geteuid() != 0:
            return None
        for name in ("postgres", SUPERUSER):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SUPERUSER], check=True)
        return SUPERUSER

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        owner = self._owner()
        cmd = ["runuser", "-u", owner, "--", *args] if owner else args
        return subprocess.run(cmd, capture_output=True, text=True, **kw)

    def _owner_can_reach(self, path: Path) -> bool:
        owner = self._owner()
        if owner is None:
            return True
        probe = self._run(["test", "-x", str(path)])
        return probe.returncode == 0

    # -- lifecycle ------------------------------------------------------------------------
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self, binaries: Binaries) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        pgdata = self._prepare_pgdata()
        password = secrets.token_urlsafe(24)
        pwfile = pgdata.parent / ".pwfile"
        pwfile.write_text(password + "\n")
        owner = self._owner()
        if owner:
            shutil.chown(pwfile, owner, owner)
        done = self._run([str(binaries.bindir / "initdb"), "-D", str(pgdata), "-U", SUPERUSER,
                          "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                          "--no-locale"])
        pwfile.unlink()
        if done.returncode != 0:
            raise StoreUnavailable(f"initdb failed: {done.stderr.strip()[-2000:]}")
        self._save_state({"password": password, "port": _free_port(), "pgdata": str(pgdata)})

    def _configure(self) -> int:
        state = self.state()
        port = int(state["port"])
        if _port_in_use(port) and not self.running():
            port = _free_port()
            state["port"] = port
            self._save_state(state)
        conf = self.pgdata / "borderzone.conf"
        conf.write_text(
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            "unix_socket_directories = ''\n"
            "max_connections = 200\n"
            f"shared_buffers = {self.shared_buffers}\n"
            "work_mem = 32MB\n"
            "maintenance_work_mem = 256MB\n"
            "synchronous_commit = off\n"
            + REPLICATION_CONF
        )
        self.ensure_replication_hba()
        main_conf = self.pgdata / "postgresql.conf"
        text = main_conf.read_text()
        if "include_if_exists = 'borderzone.conf'" not in text:
            main_conf.write_text(text + "\ninclude_if_exists = 'borderzone.conf'\n")
        owner = self._owner()
        if owner:
            shutil.chown(conf, owner, owner)
        return port

    def ensure_replication_hba(self) -> bool:
        """Let password-authenticated replication connections in from loopback (initdb
        writes this line; an older or hand-edited pg_hba.conf gets it added). Idempotent;
        True when the file changed (takes effect at the next start or reload)."""
        hba = self.pgdata / "pg_hba.conf"
        lines = hba.read_text().splitlines()
        wanted = HBA_REPLICATION.split()
        if any(line.split()[:4] == wanted[:4] for line in lines if not line.startswith("#")):
            return False
        hba.write_text("\n".join(lines) + "\n" + HBA_REPLICATION)
        return True

    def standby_of(self, primary: Cluster, binaries: Binaries | None = None) -> str:
        """Make this (empty) cluster a streaming hot standby of ``primary``, which must be
        running: ``pg_basebackup -R`` over loopback as the server user, then start it on a
        port of its own. Returns the standby's superuser URL (database ``postgres``)."""
        binaries = binaries or ensure_binaries(install=False, log=self.log)
        if self.initialised():
            raise StoreUnavailable(f"{self.pgdata} already holds a cluster")
        self.home.mkdir(parents=True, exist_ok=True)
        self._prepare_pgdata()
        state = primary.state()
        env = {**os.environ, "PGPASSWORD": state["password"], "PGCONNECT_TIMEOUT": "10"}
        done = self._run([str(binaries.bindir / "pg_basebackup"), "-h", "127.0.0.1",
                          "-p", str(state["port"]), "-U", SUPERUSER, "-D", str(self.pgdata),
                          "-R", "-X", "stream", "-c", "fast", "--no-password"], env=env)
        if done.returncode != 0:
            raise StoreUnavailable(f"pg_basebackup failed: {done.stderr.strip()[-2000:]}")
        self._save_state({"password": state["password"], "port": _free_port(),
                          "pgdata": str(self.pgdata), "standby_of": state["port"]})
        return self.up(install=False)

    def _prepare_pgdata(self) -> Path:
        """The data directory, created, owned by the server user, mode 700."""
        if not self._owner_can_reach(self.home):
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
            relocated = Path("/var/lib/borderzone") / digest / "pgdata"
            (self.home / "pgdata-location").write_text(str(relocated))
            self.log(f"{self.home} is not reachable by the server user; data in {relocated}")
        pgdata = self.pgdata
        pgdata.mkdir(parents=True, exist_ok=True)
        owner = self._owner()
        if owner:
            shutil.chown(pgdata, owner, owner)
        pgdata.chmod(0o700)
        return pgdata

    def running(self) -> bool:
        binaries = find_binaries()
        if binaries is None or not self.initialised():
            return False
        done = self._run([str(binaries.bindir / "pg_ctl"), "-D", str(self.pgdata), "status"])
        return done.returncode == 0

    def up(self, *, install: bool = True) -> str:
        """Create (first time) and start the cluster; return its superuser URL (no database).

        Safe to call from several processes at once (two test runs, a server and a test run):
        they take turns on a lock file beside the cluster."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".up.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._up(install=install)

    def _up(self, *, install: bool) -> str:
        binaries = ensure_binaries(install=install, log=self.log)
        if not self.initialised():
            self.log(f"creating the embedded PostgreSQL cluster in {self.pgdata}")
            self.init(binaries)
        if not self.running():
            port = self._configure()
            logfile = self.pgdata / "server.log"
            done = self._run([str(binaries.bindir / "pg_ctl"), "-D", str(self.pgdata), "-l",
                              str(logfile), "-w", "-t", "90", "start"])
            if done.returncode != 0:
                tail = done.stdout.strip()[-1500:] + done.stderr.strip()[-1500:]
                raise StoreUnavailable(f"the embedded PostgreSQL did not start (port {port}): "
                                       f"{tail}")
        return self.url()

    def down(self) -> bool:
        """Stop the cluster (fast shutdown). Returns False when it was not running."""
        binaries = find_binaries()
        if binaries is None or not self.running():
            return False
        self._run([str(binaries.bindir / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast",
                   "-w", "stop"])
        return True

    def url(self, database: str = "postgres") -> str:
        state = self.state()
        if not state:
            raise StoreUnavailable(f"no embedded cluster in {self.home}: run `borderzone db up`")
        return (f"postgresql+psycopg://{SUPERUSER}:{state['password']}@127.0.0.1:"
                f"{state['port']}/{database}")

    def status(self) -> dict:
        state = self.state()
        return {"data_dir": str(self.home), "pgdata": str(self.pgdata),
                "initialised": self.initialised(), "running": self.running(),
                "port": state.get("port"), "host": "127.0.0.1"}
