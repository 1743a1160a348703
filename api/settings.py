"""Settings, read once from the environment (and ``.env``) into typed objects; reading them
starts nothing (the database is resolved at start-up: ``api.database.start_database``)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.location.footprint import FootprintSpec


class Settings(BaseSettings):
    """Every knob of the service; each field is the env variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    state_dir: Path = Field(default=Path(".borderzone"), alias="BORDERZONE_HOME")
    db_name: str = Field(default="borderzone", alias="BORDERZONE_DB_NAME")
    data_dir: Path = Field(default=Path("../shared/data"), alias="BORDERZONE_DATA_DIR")
    install_postgres: bool = Field(default=True, alias="BORDERZONE_INSTALL_POSTGRES")
    env: str = Field(default="development", alias="BORDERZONE_ENV")
    host: str = Field(default="127.0.0.1", alias="BORDERZONE_HOST")
    port: int = Field(default=8000, alias="BORDERZONE_PORT")
    index_poll_s: float = Field(default=5.0, alias="BORDERZONE_INDEX_POLL_S")
    max_body_bytes: int = Field(default=50 * 1024 * 1024, alias="BORDERZONE_MAX_BODY_BYTES")
    #: JSON bodies other than a batch's (a route of the vertex limit with times: ~5 MB)
    max_json_bytes: int = Field(default=10 * 1024 * 1024, alias="BORDERZONE_MAX_JSON_BYTES")
    max_vertices: int = Field(default=100_000, alias="BORDERZONE_MAX_VERTICES")
    max_batch_points: int = Field(default=1_000_000, alias="BORDERZONE_MAX_BATCH_POINTS")
    # work bounds per request, refused before the work starts (docs/performance.md)
    max_route_vertices: int = Field(default=20_000, alias="BORDERZONE_MAX_ROUTE_VERTICES")
    max_route_km: float = Field(default=20_000.0, alias="BORDERZONE_MAX_ROUTE_KM")
    max_check_points: int = Field(default=10_000, alias="BORDERZONE_MAX_CHECK_POINTS")
    # CPU-heavy requests run in this many threads; one core is left to the event loop
    work_threads: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1),
                              ge=1, alias="BORDERZONE_WORK_THREADS")
    # security (issue 5): see docs/operations.md
    jwt_secret: SecretStr | None = Field(default=None, alias="BORDERZONE_JWT_SECRET")
    jwt_ttl_s: int = Field(default=3600, alias="BORDERZONE_JWT_TTL_S")
    key_cache_s: float = Field(default=30.0, alias="BORDERZONE_KEY_CACHE_S")
    rate_per_s: float | None = Field(default=None, alias="BORDERZONE_RATE_PER_S")
    rate_burst: int | None = Field(default=None, alias="BORDERZONE_RATE_BURST")
    # footprints of sensitive zones (issue 8): see docs/operations.md
    footprint_cell_m: float = Field(default=1_000.0, alias="BORDERZONE_FOOTPRINT_CELL_M")
    footprint_margin_m: float = Field(default=500.0, alias="BORDERZONE_FOOTPRINT_MARGIN_M")
    # credentials and limits (issue 8): see docs/operations.md
    rate_points_per_token: int = Field(default=100, ge=1,
                                       alias="BORDERZONE_RATE_POINTS_PER_TOKEN")
    auth_failure_rate_per_s: float = Field(default=0.1, ge=0,
                                           alias="BORDERZONE_AUTH_FAILURE_RATE_PER_S")
    auth_failure_burst: int = Field(default=10, ge=1, alias="BORDERZONE_AUTH_FAILURE_BURST")
    trusted_proxies: str = Field(default="", alias="BORDERZONE_TRUSTED_PROXIES")
    # reads and writes apart (issue 15): see api/replicas.py and docs/operations.md
    database_read_urls: str | None = Field(default=None, alias="DATABASE_READ_URLS")
    read_only: bool = Field(default=False, alias="BORDERZONE_READ_ONLY")
    primary_url: str | None = Field(default=None, alias="BORDERZONE_PRIMARY_URL")
    min_version_wait_s: float = Field(default=2.0, alias="BORDERZONE_MIN_VERSION_WAIT_S")
    workers: int = Field(default=1, ge=1, alias="BORDERZONE_WORKERS")
    # the dashboard's base map (issue 13): blank = none; the vector layers never need it
    basemap_url: str = Field(default="", alias="BORDERZONE_BASEMAP_URL")
    basemap_attribution: str = Field(default="", alias="BORDERZONE_BASEMAP_ATTRIBUTION")

    @property
    def footprint(self) -> FootprintSpec:
        """Cell size and margin of the footprints uncleared callers are answered against."""
        return FootprintSpec(cell_m=self.footprint_cell_m, margin_m=self.footprint_margin_m)
