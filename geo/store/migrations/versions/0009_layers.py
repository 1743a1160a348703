"""layers: geometry kept ready for vector tiles, a change log for exact tile invalidation

Revision ID: 0009
Revises: 0008 (0008_registry)

* Every geometry column a map layer draws (``geo.layers.collections``) gets generated,
  stored companions in Web Mercator (EPSG:3857): ``<col>_3857`` (exact) and, per zoom band
  of ``geo.layers.tiles.BANDS``, ``<col>_3857_z6|_z10|_z13`` simplified to half a display
  pixel at the band's deepest zoom and made valid. PostgreSQL keeps them in step with every
  insert and update, so nothing can forget to refresh them; a GiST index on ``<col>_3857``
  serves the tile boxes.
* ``layer_change``: one row per changed feature, with its old or new shape in EPSG:3857 as
  cleared callers see it (``exact``) and as uncleared callers see it (``public``: the
  footprint of a sensitive zone). Workers read it to drop exactly the cached tiles an edit
  touches. A decision's extension or revocation logs the decision's own area.
* ``decision_effective_end(id, known_at)``: a decision's end after the extensions and the
  revocation recorded by ``known_at`` (NULL: all of them).
"""
from alembic import op

from geo.layers.tiles import BANDS

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: (table, geometry column) pairs drawn by the layers.
PREPARED = (("province", "geom"), ("commune", "geom"), ("border_segment", "geom"),
            ("belt_segment", "geom"), ("sea_area", "geom"), ("zone", "geom"),
            ("zone", "footprint"), ("gate", "location"), ("checkpoint_area", "geom"),
            ("decision", "geom"))
#: (table, geometry column, public column) logged into layer_change.
LOGGED = (("province", "geom", ""), ("commune", "geom", ""), ("border_segment", "geom", ""),
          ("belt_segment", "geom", ""), ("sea_area", "geom", ""),
          ("zone", "geom", "footprint"), ("gate", "location", ""),
          ("checkpoint_area", "geom", ""), ("decision", "geom", ""),
          ("land_border_commune", "", ""))

_LOG_FN = """
CREATE FUNCTION layer_change_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    shape geometry; public_shape geometry; key text; rec record;
BEGIN
    FOR rec IN SELECT * FROM (VALUES ('old'), ('new')) AS v(side) LOOP
        CONTINUE WHEN (rec.side = 'old' AND TG_OP = 'INSERT')
                   OR (rec.side = 'new' AND TG_OP = 'DELETE');
        IF TG_ARGV[0] = 'location' THEN
            shape := CASE rec.side WHEN 'old' THEN OLD.location ELSE NEW.location END;
        ELSIF TG_ARGV[0] = 'geom' THEN
            shape := CASE rec.side WHEN 'old' THEN OLD.geom ELSE NEW.geom END;
        ELSE  -- land_border_commune: the commune's current polygon
            SELECT c.geom INTO shape FROM commune c
             WHERE c.code = CASE rec.side WHEN 'old' THEN OLD.commune_code
                                          ELSE NEW.commune_code END
             ORDER BY c.valid_to IS NULL DESC, c.valid_from DESC LIMIT 1;
        END IF;
        public_shape := shape;
        IF TG_ARGV[1] = 'footprint' THEN
            public_shape := coalesce(CASE rec.side WHEN 'old' THEN OLD.footprint
                                                   ELSE NEW.footprint END, shape);
        END IF;
        key := CASE rec.side WHEN 'old' THEN OLD.id::text ELSE NEW.id::text END;
        IF shape IS NOT NULL THEN
            INSERT INTO layer_change (source, row_key, exact, public)
            VALUES (TG_TABLE_NAME, key, ST_Transform(shape, 3857),
                    ST_Transform(public_shape, 3857));
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
"""

_LOG_TRUNCATE_FN = """
CREATE FUNCTION layer_change_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO layer_change (source, whole) VALUES (TG_TABLE_NAME, true);
    RETURN NULL;
END $$;
"""

_LOG_DECISION_ACT_FN = """
CREATE FUNCTION layer_change_decision_act() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO layer_change (source, row_key, exact, public)
    SELECT 'decision', d.id::text, ST_Transform(d.geom, 3857), ST_Transform(d.geom, 3857)
      FROM decision d WHERE d.id = NEW.decision_id;
    RETURN NULL;
END $$;
"""

_EFFECTIVE_END_FN = """
CREATE FUNCTION decision_effective_end(d_id integer, known timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT LEAST(
        coalesce((SELECT max(e.new_valid_to) FROM decision_extension e
                   WHERE e.decision_id = d_id AND (known IS NULL OR e.recorded_at <= known)),
                 (SELECT d.valid_to FROM decision d WHERE d.id = d_id)),
        (SELECT r.effective_at FROM decision_revocation r
          WHERE r.decision_id = d_id AND (known IS NULL OR r.recorded_at <= known)))
$$;
"""


def _prepare(table: str, col: str) -> None:
    src = f"ST_Transform({col}, 3857)"
    op.execute(f"ALTER TABLE {table} ADD COLUMN {col}_3857 geometry(Geometry, 3857) "
               f"GENERATED ALWAYS AS ({src}) STORED")
    for band in BANDS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {band.column(col)} geometry(Geometry, 3857) "
                   f"GENERATED ALWAYS AS (ST_MakeValid(ST_SimplifyPreserveTopology({src}, "
                   f"{band.tolerance_m}))) STORED")
    op.execute(f"CREATE INDEX ix_{table}_{col}_3857 ON {table} USING gist ({col}_3857)")


def upgrade() -> None:
    for table, col in PREPARED:
        _prepare(table, col)
    op.execute("""CREATE TABLE layer_change (
        id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
        source text NOT NULL, row_key text, whole boolean NOT NULL DEFAULT false,
        exact geometry(Geometry, 3857), public geometry(Geometry, 3857))""")
    op.execute("CREATE INDEX ix_layer_change_at ON layer_change (at)")
    for fn in (_LOG_FN, _LOG_TRUNCATE_FN, _LOG_DECISION_ACT_FN, _EFFECTIVE_END_FN):
        op.execute(fn)
    for table, col, public in LOGGED:
        op.execute(f"CREATE TRIGGER layer_change_{table} AFTER INSERT OR UPDATE OR DELETE "
                   f"ON {table} FOR EACH ROW EXECUTE FUNCTION "
                   f"layer_change_log('{col}', '{public}')")
        op.execute(f"CREATE TRIGGER layer_change_truncate_{table} AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION layer_change_truncate()")
    for table in ("decision_extension", "decision_revocation"):
        op.execute(f"CREATE TRIGGER layer_change_{table} AFTER INSERT ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION layer_change_decision_act()")


def downgrade() -> None:
    for table in ("decision_extension", "decision_revocation"):
        op.execute(f"DROP TRIGGER IF EXISTS layer_change_{table} ON {table}")
    for table, _, _ in LOGGED:
        op.execute(f"DROP TRIGGER IF EXISTS layer_change_{table} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS layer_change_truncate_{table} ON {table}")
    for fn in ("layer_change_log()", "layer_change_truncate()",
               "layer_change_decision_act()", "decision_effective_end(integer, timestamptz)"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute("DROP TABLE IF EXISTS layer_change")
    for table, col in PREPARED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{col}_3857")
        for band in (*BANDS,):
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {band.column(col)}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {col}_3857")
