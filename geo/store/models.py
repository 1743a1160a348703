"""Tables (SQLAlchemy Core + geoalchemy2). The schema itself is made only by alembic.

Every geometry column is SRID 4326 (lon/lat) and has a GiST index (created in migrations).
Validity columns (``valid_from``/``valid_to``) keep history: rows are closed, never rewritten.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()


def _geom(kind: str, nullable: bool = False) -> Column:
    return Column("geom", Geometry(kind, srid=4326, spatial_index=False), nullable=nullable)


province = Table(
    "province", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_ascii", Text, nullable=False),
    Column("name_en", Text),
    Column("has_land_border", Boolean, nullable=False, server_default="false"),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("source", Text, nullable=False),
    Column("content_sha", Text, nullable=False),
    _geom("MULTIPOLYGON"),
)

commune = Table(
    "commune", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_ascii", Text, nullable=False),
    Column("full_name", Text),
    Column("kind", Text, nullable=False),
    Column("province_code", Text, nullable=False),
    Column("precision", Text, nullable=False),  # exact | simplified
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("source", Text, nullable=False),
    Column("content_sha", Text, nullable=False),
    _geom("MULTIPOLYGON"),
)

border_segment = Table(
    "border_segment", metadata,
    Column("id", Integer, primary_key=True),
    Column("neighbour_iso3", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("length_m", Float, nullable=False),
    Column("source", Text, nullable=False),
    _geom("LINESTRING"),
)

land_border_commune = Table(
    "land_border_commune", metadata,
    Column("id", Integer, primary_key=True),
    Column("commune_code", Text, nullable=False),
    Column("neighbours", ARRAY(Text), nullable=False),
    Column("border_len_m", Float),
    Column("basis", Text, nullable=False),  # derived_geometry | legal_list
    Column("instrument", Text),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

belt_segment = Table(
    "belt_segment", metadata,
    Column("id", Integer, primary_key=True),
    Column("province_code", Text, nullable=False),
    Column("commune_code", Text),
    Column("depth_m", Float, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("issuer", Text),  # geo.location.border.BeltIssuer; NULL for the default strip (0004)
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _geom("MULTIPOLYGON"),
)

zone = Table(
    "zone", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("authority", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("sensitivity", Text, nullable=False, server_default="restricted"),
    Column("province_code", Text),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _geom("MULTIPOLYGON"),
    # sensitive zones: the public footprint (geo.location.footprint), made when the row is written
    # (migration 0004); NULL for public zones
    Column("footprint", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
    # the registry (migration 0008): each row one version of a record
    Column("record_id", Integer),  # id of the record's first version; NULL: a lone row
    Column("version", Integer, nullable=False, server_default="1"),
    Column("instrument_number", Text),
    Column("instrument_date", Date),
    Column("issuer", Text),  # geo.registry.kinds.Issuer
    Column("authority_level", Text),
    Column("rule_id", Text),  # the establishing rule (geo/registry/authority.yaml)
    Column("protection_rules_ref", Text),
    Column("managing_unit", Text),
    Column("valid_to_stated", DateTime(timezone=True)),  # the end the instrument stated
    Column("closed_reason", Text),  # amended | retired
    Column("closed_by", Text),  # the instrument that closed it
    Column("recorded_by", Text),
    Column("written", JSONB),  # the geometry as written: format, CRS, source coordinates
    Column("intake", JSONB),  # the intake report
)

sea_area = Table(
    "sea_area", metadata,
    Column("id", Integer, primary_key=True),
    Column("part", Text, nullable=False),  # territorial_sea | coastal_commune
    Column("commune_code", Text),
    Column("method", Text, nullable=False),
    Column("source", Text, nullable=False),
    _geom("MULTIPOLYGON"),
)

territory = Table(
    "territory", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("source", Text, nullable=False),
    _geom("MULTIPOLYGON"),
)

gate = Table(
    "gate", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_ascii", Text, nullable=False),
    Column("alt_name", Text),
    Column("gate_type", Text, nullable=False),
    Column("mode", Text),
    Column("neighbour_iso3", Text, nullable=False),
    Column("paired_gate", Text),
    Column("province_code", Text),
    Column("location_source", Text),
    Column("status_note", Text),
    Column("source", Text, nullable=False),
    Column("location", Geometry("POINT", srid=4326, spatial_index=False)),
)

#: Every location recorded for a gate (migration 0008); ``gate.location`` is the
#: current one. Versions are closed by the next (``superseded_at``), never deleted.
gate_location = Table(
    "gate_location", metadata,
    Column("id", Integer, primary_key=True),
    Column("gate_id", Text, ForeignKey("gate.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    Column("source", Text, nullable=False),  # survey | officer_report | gazetteer
    Column("accuracy_m", Float, nullable=False),
    Column("reference", Text, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("superseded_at", DateTime(timezone=True)),
)

checkpoint_area = Table(
    "checkpoint_area", metadata,
    Column("id", Integer, primary_key=True),
    Column("gate_id", Text, ForeignKey("gate.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", Text, nullable=False),  # draft | submitted | approved | superseded
    Column("source", Text, nullable=False),
    Column("area_m2", Float),
    Column("valid_from", DateTime(timezone=True)),
    Column("valid_to", DateTime(timezone=True)),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _geom("MULTIPOLYGON"),
)

#: Checkpoint-area surveys (migration 0011): each upload one version of a gate's
#: area under review; past its draft never edited (trigger), publication writes the
#: ``checkpoint_area`` row that checks, decisions and layers use.
survey = Table(
    "survey", metadata,
    Column("id", Integer, primary_key=True),
    Column("gate_id", Text, ForeignKey("gate.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False, server_default="draft"),
    Column("survey_date", Date, nullable=False),
    Column("agencies", ARRAY(Text), nullable=False),
    Column("minutes_ref", Text, nullable=False),
    Column("notes", Text),
    Column("format", Text, nullable=False),
    Column("epsg", Integer, nullable=False),
    Column("filename", Text),
    _geom("MULTIPOLYGON"),
    Column("area_m2", Float, nullable=False),
    Column("written", JSONB, nullable=False),  # source CRS coordinates, vertex accuracy
    Column("report", JSONB, nullable=False),  # the validation report
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("submitted_by", Text),
    Column("submitted_at", DateTime(timezone=True)),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("instrument_number", Text),
    Column("instrument_date", Date),
    Column("authority", Text),  # government | provincial_peoples_committee
    Column("reject_reason", Text),
    Column("published_by", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("checkpoint_area_id", Integer, ForeignKey("checkpoint_area.id")),
    Column("superseded_at", DateTime(timezone=True)),
)

dataset_load = Table(
    "dataset_load", metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", Text, nullable=False, unique=True),
    Column("sha256", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("report", JSONB, nullable=False),
)

data_version = Table(
    "data_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

#: Writes counted per table (migration 0010): the data version is ``data_version`` row 1
#: plus the sum of these counts, so that writes to different tables lock different rows.
data_version_table = Table(
    "data_version_table", metadata,
    Column("table_name", Text, primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

#: Tables whose edits change location answers; a trigger bumps the data version on each.
ZONE_TABLES = ("territory", "province", "commune", "border_segment", "land_border_commune",
               "belt_segment", "zone", "sea_area", "checkpoint_area")


# -- security (migration 0002) -------------------------------------------------------------
app_user = Table(
    "app_user", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("roles", ARRAY(Text), nullable=False),
    Column("provinces", ARRAY(Text), nullable=False, server_default="{}"),
    Column("gate_types", ARRAY(Text), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # migration 0004: tokens carry the version; disabling bumps it (old tokens die at once)
    Column("token_version", Integer, nullable=False, server_default="0"),
    Column("disabled_at", DateTime(timezone=True)),
)

api_key = Table(
    "api_key", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("key_id", Text, nullable=False, unique=True),  # first characters, shown in lists
    Column("key_hash", Text, nullable=False, unique=True),  # sha256 hex of the whole key
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)

#: Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("who", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("key_id", Text),
    Column("action", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text),
    Column("before", JSONB),
    Column("after", JSONB),
)
