import { describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { getJson } from '../helpers/db.ts';

describe('GET /health', () => {
  it('answers 200 with the backend, PostgreSQL and PostGIS versions', async () => {
    const { status, body } = await getJson('/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(['embedded', 'postgres']).toContain(body.database.backend);
    expect(body.database.postgres).toMatch(/^\d+\.\d+/);
    expect(Number(body.database.postgis.split('.')[0])).toBeGreaterThanOrEqual(3);
  });

  it('answers 503 when the database is unreachable', async () => {
    // port 9 (discard) on loopback: nothing listens there
    const app = await buildApp({
      database: { url: 'postgres://postgres@127.0.0.1:9/none', poolMax: 1,
        info: { backend: 'postgres', postgres: '?', postgis: '?', geos: '?', proj: '?' } },
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', database: { backend: 'postgres' } });
      expect(res.json().database.error).toMatch(/ECONNREFUSED|connect/);
    } finally {
      await app.close();
    }
  });
});
