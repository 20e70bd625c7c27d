// Military land's sensitive attributes (geo/layers.ts `sensitive`) are withheld from a reader without
// the grant: rendered with sensitive=false a tile has the same features, ids and geometry, and none of
// those attributes. Through the render function, on whichever encoder this backend has.
import { describe, expect, it } from 'vitest';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { loadLayerFields } from '../../server/core/catalogue.ts';
import { detectEncoder, renderTile, tileFields } from '../../server/tiles/render.ts';
import { useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';

const pool = useTestPool();
const military = LAYER_BY_ID.get('military_land')!;
const SENSITIVE = military.sensitive!;

describe('sensitive attributes in tiles', () => {
  it('military land is marked with sensitive attributes', () => {
    expect(SENSITIVE).toEqual(expect.arrayContaining(['name', 'unit', 'use', 'notes']));
  });

  it('renders a military tile without them when sensitive=false, and with them when true', async () => {
    const t = await tileOver(pool, 'military_land', 14);
    const fields = await loadLayerFields(pool);
    const encoder = await detectEncoder(pool);
    const render = async (sensitive: boolean) =>
      decodeTile(await renderTile(pool, encoder, [military], fields, t, { sensitive }), t.z, t.x, t.y).military_land;

    const full = await render(true);
    const withheld = await render(false);
    const { rows } = await pool.query('SELECT id, code, name, unit, use, notes FROM military_land WHERE id = $1', [t.id]);
    const row = rows[0];

    // with the grant: the sensitive attributes are there, as stored
    const f = full.find((x) => x.id === t.id)!;
    expect(f).toBeDefined();
    expect(f.properties.code).toBe(row.code);
    for (const name of SENSITIVE) if (row[name] !== null) expect(f.properties[name], name).toBe(row[name]);
    expect(f.properties.name).toMatch(/[\u4e00-\u9fff]/);

    // without: the same features, ids and geometry; no sensitive attribute on any of them
    expect(withheld.map((x) => x.id).sort()).toEqual(full.map((x) => x.id).sort());
    for (const w of withheld) {
      for (const name of SENSITIVE) expect(w.properties, `feature ${w.id}`).not.toHaveProperty(name);
      const same = full.find((x) => x.id === w.id)!;
      expect(w.geometry).toEqual(same.geometry);
      expect(w.properties.code).toBe(same.properties.code);
    }
  });

  it('withholds only the military layer’s attributes in a tile of several layers', async () => {
    const t = await tileOver(pool, 'military_land', 14);
    const fields = await loadLayerFields(pool);
    const encoder = await detectEncoder(pool);
    const red = LAYER_BY_ID.get('red_line')!;
    const render = async (sensitive: boolean) =>
      decodeTile(await renderTile(pool, encoder, [military, red], fields, t, { sensitive }), t.z, t.x, t.y);
    const full = await render(true);
    const withheld = await render(false);
    expect(Object.keys(withheld).sort()).toEqual(Object.keys(full).sort());
    for (const w of withheld.military_land) for (const name of SENSITIVE) expect(w.properties).not.toHaveProperty(name);
    expect(withheld.red_line ?? []).toEqual(full.red_line ?? []);
  });

  it('lists the fields a reader sees (TileJSON vector_layers)', async () => {
    const fields = await loadLayerFields(pool);
    const names = (sensitive: boolean) => tileFields(military, fields, sensitive).map((f) => f.name);
    expect(names(true)).toEqual(expect.arrayContaining(SENSITIVE));
    expect(names(false)).toContain('code');
    for (const name of SENSITIVE) expect(names(false)).not.toContain(name);
    // parcels keep every field; only the owner's name of an army unit's parcel is blanked (sensitiveWhere)
    const parcel = LAYER_BY_ID.get('parcel')!;
    const parcelNames = (sensitive: boolean) => tileFields(parcel, fields, sensitive).map((f) => f.name);
    expect(parcelNames(false)).toEqual(parcelNames(true));
    expect(tileFields(parcel, fields, false).find((f) => f.name === 'owner_name')!.sql).toMatch(/CASE WHEN t\."owner_type" = 'military' THEN NULL/);
  });
});
