// The schema the migrations build: every layer in CGCS2000 with a GiST index, validity enforced,
// versions bumped and every change recorded with who and when.
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { migrate } from '../../server/db/migrate.ts';
import { useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

describe('schema', () => {
  it('runs the migrations again without applying anything (idempotent)', async () => {
    expect(await migrate(pool)).toEqual([]);
  });

  it.each(LAYERS.map((l) => [l.id, l.table, l.geometryColumn]))('%s geometry is SRID 4490 with a GiST index', async (_id, table, column) => {
    const { rows } = await pool.query(
      'SELECT srid FROM geometry_columns WHERE f_table_name = $1 AND f_geometry_column = $2', [table, column]);
    expect(rows).toEqual([{ srid: 4490 }]);
    const idx = await pool.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef ILIKE '%USING gist (' || $2 || ')%'`, [table, column]);
    expect(idx.rowCount).toBe(1);
  });

  it('refuses a self-intersecting polygon', async () => {
    const bowtie = 'MULTIPOLYGON(((109.60 23.09, 109.61 23.10, 109.61 23.09, 109.60 23.10, 109.60 23.09)))';
    await expect(pool.query(
      `INSERT INTO disputed_land (code, name, parties, geom) VALUES ('T-BOWTIE', '测试', '甲;乙', ST_GeomFromText($1, 4490))`, [bowtie],
    )).rejects.toThrow(/check constraint/);
    const { rows } = await pool.query(`SELECT count(*)::int n FROM disputed_land WHERE code = 'T-BOWTIE'`);
    expect(rows[0].n).toBe(0);
  });

  it('refuses geometry in another SRID', async () => {
    await expect(pool.query(
      `INSERT INTO disputed_land (code, name, parties, geom)
       VALUES ('T-SRID', '测试', '甲;乙', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 4326)))`,
    )).rejects.toThrow(/SRID/);
  });

  it('bumps version and records insert, update and delete with who, when, before and after', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL zs.changed_by = '测试员'`);
      await client.query(`SET LOCAL zs.changed_at = '2022-03-15T10:00:00+08:00'`);
      const ins = await client.query(
        `INSERT INTO disputed_land (code, name, parties, geom)
         VALUES ('T-HIST', '历史测试', '西江农场;根竹镇', ST_Multi(ST_MakeEnvelope(109.60, 23.09, 109.601, 23.091, 4490))) RETURNING id`);
      const id = ins.rows[0].id;
      const upd = await client.query(`UPDATE disputed_land SET status = 'mediating' WHERE id = $1 RETURNING version`, [id]);
      expect(upd.rows[0].version).toBe(2);
      await client.query('DELETE FROM disputed_land WHERE id = $1', [id]);
      const log = await client.query(
        `SELECT op, version, changed_by, changed_at = '2022-03-15T10:00:00+08:00'::timestamptz AS at_given_time,
                before->>'status' AS before_status, after->>'status' AS after_status, after->'geom'->>'type' AS geom_type
           FROM change_log WHERE layer = 'disputed_land' AND feature_id = $1 ORDER BY id`, [id]);
      expect(log.rows).toEqual([
        { op: 'insert', version: 1, changed_by: '测试员', at_given_time: true, before_status: null, after_status: 'open', geom_type: 'MultiPolygon' },
        { op: 'update', version: 2, changed_by: '测试员', at_given_time: true, before_status: 'open', after_status: 'mediating', geom_type: 'MultiPolygon' },
        { op: 'delete', version: 2, changed_by: '测试员', at_given_time: true, before_status: 'mediating', after_status: null, geom_type: null },
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('rebuilds a past geometry from the history exactly', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const ins = await client.query(
        `INSERT INTO disputed_land (code, name, parties, geom)
         VALUES ('T-REBUILD', '重建测试', '甲;乙', ST_Multi(ST_MakeEnvelope(109.60, 23.09, 109.601, 23.091, 4490))) RETURNING id`);
      const id = ins.rows[0].id;
      await client.query(`UPDATE disputed_land SET geom = ST_Multi(ST_MakeEnvelope(109.70, 23.19, 109.701, 23.191, 4490)) WHERE id = $1`, [id]);
      const { rows } = await client.query(
        `SELECT ST_Equals(ST_GeomFromGeoJSON(after->'geom'), ST_Multi(ST_MakeEnvelope(109.60, 23.09, 109.601, 23.091, 4490))) AS same,
                ST_SRID(ST_GeomFromGeoJSON(after->'geom')) AS srid
           FROM change_log WHERE layer = 'disputed_land' AND feature_id = $1 AND op = 'insert'`, [id]);
      expect(rows).toEqual([{ same: true, srid: 4490 }]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
