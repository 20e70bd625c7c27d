// The preview names each file field's type as its values show it (the import panel shows it beside the
// layer column's type): integers, decimals among integers, dates in ISO form, text; a field empty in
// every feature has none; a field whose values disagree is text.
import { describe, expect, it } from 'vitest';
import { getJson } from '../helpers/db.ts';
import { upload } from './helpers.ts';

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 23.1212], [x + 0.0002, 23.1212], [x + 0.0002, 23.1214], [x, 23.1214], [x, 23.1212]]] });

describe('import preview: field types', () => {
  it('reads each field’s type from its values', async () => {
    const props = [
      { DKBH: 'FT-1', N: 3, AREA: 410, QDRQ: '2024-05-01', MIX: 1, EMPTY: '', OK: true },
      { DKBH: 'FT-2', N: 4, AREA: 410.5, QDRQ: '2024-06-11', MIX: 'a', EMPTY: null, OK: false },
    ];
    const fc = { type: 'FeatureCollection', features: props.map((p, i) => ({ type: 'Feature', properties: p, geometry: square(109.5331 + i * 0.0003) })) };
    const { status, body } = await upload([{ name: 'types.geojson', data: JSON.stringify(fc) }]);
    expect(status).toBe(201);
    expect(body.fields).toEqual(['DKBH', 'N', 'AREA', 'QDRQ', 'MIX', 'EMPTY', 'OK']);
    expect(body.fieldTypes).toEqual({ DKBH: 'string', N: 'integer', AREA: 'number', QDRQ: 'date', MIX: 'string', OK: 'boolean' });
    // shown again, as stored with the preview
    const again = await getJson(`/api/import/${body.id}`);
    expect(again.body.fieldTypes).toEqual(body.fieldTypes);
  });
});
