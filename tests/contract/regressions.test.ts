// Sixteen bad inputs that once made the server answer 500 (issue "one error contract"). Each is now a
// 4xx of the error contract (geo/errors.ts), and none of them writes anything.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { deepArray, fingerprint, send } from './helpers.ts';

const pool = useTestPool();
const NUL = 'a\u0000b';

let parcel: { id: number; etag: string };
let tester: number;

beforeAll(async () => {
  const list = await send('GET', '/ogc/collections/parcel/items?limit=1');
  const id = list.body.features[0].id as number;
  const { api } = await import('../helpers/db.ts');
  const res = await api(`/ogc/collections/parcel/items/${id}`);
  parcel = { id, etag: res.headers.get('etag')! };
  tester = (await send('GET', '/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'tester').id;
});

/** Sends the request, checks the status, the code and (optionally) the field, and that nothing was written. */
async function refused(req: () => Promise<{ status: number; body: any; text: string }>, status: number, code: string, field?: RegExp) {
  const before = await fingerprint(pool);
  const res = await req();
  expect(res.status, res.text).toBe(status);
  expect(res.body, res.text).toMatchObject({ error: code, message: expect.any(String), params: expect.any(Object) });
  if (field) expect(res.body.field, res.text).toMatch(field);
  expect(await fingerprint(pool)).toEqual(before);
}

describe('a NUL byte in a string is refused by validation (PostgreSQL text cannot hold it)', () => {
  it('login username', () => refused(() => send('POST', '/api/auth/login', { who: null, body: { username: NUL, password: 'whatever-password' } }), 400, 'invalid_input', /username/));

  it("a parcel's owner_name (OGC PATCH)", () => refused(() => send('PATCH', `/ogc/collections/parcel/items/${parcel.id}`, {
    body: { properties: { owner_name: NUL } }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': parcel.etag },
  }), 400, 'invalid_input', /owner_name/));

  it("a problem's title (POST /api/problems)", () => refused(() => send('POST', '/api/problems', { body: { kind: 'funding', title: NUL } }), 400, 'invalid_input', /title/));

  it("a user's displayName (POST /api/admin/users)", () => refused(() => send('POST', '/api/admin/users', {
    body: { username: 'nul-name', password: 'a-long-enough-password', displayName: NUL },
  }), 400, 'invalid_input', /displayName/));

  it("a user's displayName (PATCH /api/admin/users/:id)", () => refused(() => send('PATCH', `/api/admin/users/${tester}`, { body: { displayName: NUL } }), 400, 'invalid_input', /displayName/));

  it('export command_area=%00', () => refused(() => send('GET', '/api/export?layer=parcel&format=geojson&command_area=%00'), 400, 'invalid_input', /command_area/));
});

describe('a number out of range is refused by validation', () => {
  it('PATCH /api/problems/99999999999', () => refused(() => send('PATCH', '/api/problems/99999999999', { body: { version: 1, title: 'x' } }), 400, 'invalid_input', /id/));

  it('POST /api/conflicts {"projectId":1099511627776}', () => refused(() => send('POST', '/api/conflicts', { body: { projectId: 1099511627776 } }), 400, 'invalid_input', /projectId/));

  it('POST /api/problems {"projectId":1099511627776}', () => refused(() => send('POST', '/api/problems', { body: { kind: 'funding', title: 'x', projectId: 1099511627776 } }), 400, 'invalid_input', /projectId/));

  it('GET /api/import/99999999999999999999', () => refused(() => send('GET', '/api/import/99999999999999999999'), 400, 'invalid_input', /id/));

  it('PATCH /api/admin/users/99999999999', () => refused(() => send('PATCH', '/api/admin/users/99999999999', { body: { displayName: 'x' } }), 400, 'invalid_input', /id/));

  it('areaIds: [1e20] (POST /api/admin/users)', () => refused(() => send('POST', '/api/admin/users', {
    raw: '{"username":"big-area","password":"a-long-enough-password","areaIds":[1e20]}',
  }), 400, 'invalid_input', /areaIds/));

  it('PATCH /api/admin/users/abc', () => refused(() => send('PATCH', '/api/admin/users/abc', { body: { displayName: 'x' } }), 400, 'invalid_input', /id/));

  it('POST /api/conflicts {"projectId":1e308}', () => refused(() => send('POST', '/api/conflicts', { raw: '{"projectId":1e308}' }), 400, 'invalid_input', /projectId/));
});

describe('year 0000 is refused by validation', () => {
  it('asOf=0000-01-01 (GET /api/progress)', () => refused(() => send('GET', '/api/progress?asOf=0000-01-01'), 400, 'invalid_input', /asOf/));

  it('month=0000-01 (GET /api/progress/dispatch)', () => refused(() => send('GET', '/api/progress/dispatch?month=0000-01'), 400, 'invalid_input', /month/));
});

describe('coordinates nested 50,000 deep are refused before they are parsed', () => {
  const deep = deepArray(50_000);

  it('POST /api/conflicts', () => refused(() => send('POST', '/api/conflicts', { raw: `{"geometry":{"type":"Polygon","coordinates":${deep}}}` }), 400, 'too_complex'));

  it('POST /ogc/collections/parcel/items', () => refused(() => send('POST', '/ogc/collections/parcel/items', {
    raw: `{"type":"Feature","geometry":{"type":"Polygon","coordinates":${deep}},"properties":{}}`, headers: { 'content-type': 'application/geo+json' },
  }), 400, 'too_complex'));
});
