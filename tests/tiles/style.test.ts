// The MapLibre style the server publishes: valid by the style spec, every source it names reachable
// on this server, nothing from the internet.
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { api, appUrl, getJson } from '../helpers/db.ts';

describe('GET /tiles/style.json', () => {
  it('is a valid MapLibre style', async () => {
    const { status, body } = await getJson('/tiles/style.json');
    expect(status).toBe(200);
    expect(validateStyleMin(body)).toEqual([]);
    expect(body.glyphs).toBeUndefined(); // labels drawn with local fonts: no glyph server needed
  });

  it('draws every layer of the catalogue from a source on this server', async () => {
    const { body } = await getJson('/tiles/style.json?lang=en');
    const origin = new URL(appUrl()).origin;
    const drawn = new Set(body.layers.map((l: { metadata?: Record<string, string> }) => l.metadata?.['zs:layer']).filter(Boolean));
    expect([...drawn].sort()).toEqual(LAYERS.map((l) => l.id).sort());
    for (const [id, source] of Object.entries<any>(body.sources)) {
      const url: string = source.type === 'vector' ? source.tiles[0].replace('{z}', '15').replace('{x}', '26375').replace('{y}', '14300') : source.data;
      expect(url.startsWith(origin), id).toBe(true);
      const res = await api(url);
      expect(res.status, `${id}: ${url}`).toBe(200);
      if (source.type === 'geojson') expect((await res.json()).type).toBe('FeatureCollection');
    }
  });

  it('names a town once: the township and village boundaries’ labels start hidden behind 地名', async () => {
    const { body } = await getJson('/tiles/style.json');
    const visibility = (id: string) => body.layers.find((l: { id: string }) => l.id === id)?.layout?.visibility ?? 'visible';
    expect(visibility('place-label')).toBe('visible');
    expect(visibility('township-label')).toBe('none');
    expect(visibility('village-label')).toBe('none');
    expect(visibility('township-line')).toBe('visible');
  });

  it('answers 400 for a language it does not speak', async () => {
    expect((await getJson('/tiles/style.json?lang=fr')).status).toBe(400);
  });
});

describe('GET /api/layers/{id}/labels', () => {
  it('gives one label point per command area, inside it, with its name', async () => {
    const { body } = await getJson('/api/layers/command_area/labels');
    const areas = await getJson('/api/layers/command_area/features');
    expect(body.features.length).toBe(areas.body.features.length);
    for (const f of body.features) {
      expect(f.geometry.type).toBe('Point');
      expect(f.properties.name).toMatch(/片区/);
      expect(f.properties._area).toBeGreaterThan(0);
    }
  });
});
