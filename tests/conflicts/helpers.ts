// Shared by the conflict suites: POST JSON, and load/insert the fixtures of tests/fixtures/conflicts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { FixtureConstraint, FixtureExpected, FixtureInput } from '../fixtures/conflicts/make.ts';
import { api, appUrl } from '../helpers/db.ts';

export async function postJson<T = any>(p: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await api(appUrl().replace(/\/$/, '') + p, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : (text as T), headers: res.headers };
}

export interface Fixture {
  name: string;
  input: FixtureInput;
  expected: FixtureExpected;
}

const fixtureDir = fileURLToPath(new URL('../fixtures/conflicts/', import.meta.url));

export function loadFixtures(): Fixture[] {
  return readdirSync(fixtureDir)
    .filter((n) => statSync(path.join(fixtureDir, n)).isDirectory())
    .sort()
    .map((name) => ({
      name,
      input: JSON.parse(readFileSync(path.join(fixtureDir, name, 'input.json'), 'utf8')),
      expected: JSON.parse(readFileSync(path.join(fixtureDir, name, 'expected.json'), 'utf8')),
    }));
}

/** Insert the fixtures' constraint features (codes FX-…); returns a function that deletes them again. */
export async function insertConstraints(pool: pg.Pool, constraints: FixtureConstraint[]): Promise<() => Promise<void>> {
  const g = `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4490))`;
  for (const c of constraints) {
    const geom = JSON.stringify(c.geometry);
    switch (c.table) {
      case 'cane_base':
        await pool.query(`INSERT INTO cane_base (code, name, grower, geom) VALUES ($1, $1 || ' 蔗基地', '测试经营主体', ${g})`, [c.code, geom]);
        break;
      case 'farmland':
        await pool.query(`INSERT INTO farmland (code, kind, land_class, geom) VALUES ($1, $3, '0101', ${g})`, [c.code, geom, c.kind]);
        break;
      case 'military_land':
        await pool.query(`INSERT INTO military_land (code, name, unit, use, geom) VALUES ($1, '测试训练场', '测试部队', 'training_ground', ${g})`, [c.code, geom]);
        break;
      case 'disputed_land':
        await pool.query(`INSERT INTO disputed_land (code, name, parties, geom) VALUES ($1, '测试争议地', '甲方与乙方', ${g})`, [c.code, geom]);
        break;
      case 'project':
        await pool.query(`INSERT INTO project (code, name, kind, source, year, command_area_id, red_line)
          VALUES ($1, '测试项目 ' || $1, 'road', 'key', 2022, (SELECT min(id) FROM command_area), ${g})`, [c.code, geom]);
        break;
    }
  }
  return async () => {
    const codes = constraints.map((c) => c.code);
    for (const t of ['cane_base', 'farmland', 'military_land', 'disputed_land', 'project']) {
      await pool.query(`DELETE FROM ${t} WHERE code = ANY($1::text[])`, [codes]);
    }
  };
}
