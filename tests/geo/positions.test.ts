// A parsed geometry's positions are checked before anything walks them (bboxOf, reprojection): the
// first malformed one is named by its path.
import { describe, expect, it } from 'vitest';
import { malformedPosition } from '../../geo/formats/geometry.ts';

describe('malformedPosition', () => {
  it('a well-formed polygon, multipolygon and point pass', () => {
    expect(malformedPosition({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })).toBeNull();
    expect(malformedPosition({ type: 'MultiPolygon', coordinates: [[[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]] })).toBeNull();
    expect(malformedPosition({ type: 'Point', coordinates: [109.6, 23.1] })).toBeNull();
  });

  it('a null position is named with its path', () => {
    expect(malformedPosition({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], null, [0, 0]]] })).toBe('coordinates[0][2]: null is not a position [x, y] of finite numbers');
  });

  it('a string number, a lone number and a too-shallow polygon are refused', () => {
    expect(malformedPosition({ type: 'LineString', coordinates: [[0, '1'], [1, 1]] })).toMatch(/^coordinates\[0\]: \[0,"1"\]/);
    expect(malformedPosition({ type: 'MultiPoint', coordinates: [0, 1] })).toMatch(/^coordinates\[0\]: 0 is not a position/);
    expect(malformedPosition({ type: 'Polygon', coordinates: [[0, 0], [1, 1]] })).toMatch(/^coordinates\[0\]\[0\]: 0 is not a position/);
  });

  it('missing coordinates are named at the top', () => {
    expect(malformedPosition({ type: 'Polygon', coordinates: undefined })).toBe('coordinates: undefined is not an array');
  });
});
