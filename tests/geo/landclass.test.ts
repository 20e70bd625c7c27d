// The land classes (geo/landclass.ts): GB/T 21010-2017, the third survey's working classes, and their legal categories.
import { describe, expect, it } from 'vitest';
import { isCultivated, LAND_CLASS_BY_CODE, landClassLabel, legalCategoryOf } from '../../geo/landclass.ts';

describe('legalCategoryOf', () => {
  it('places the standard\'s exceptions as its 三大类对照 does', () => {
    expect(['1006', '1103', '1104', '1107', '1202', '1203'].map(legalCategoryOf)).toEqual(Array(6).fill('agricultural'));
    expect(['1109', '1201', '1001', '0701'].map(legalCategoryOf)).toEqual(Array(4).fill('construction'));
    expect(['1101', '1204', '1207'].map(legalCategoryOf)).toEqual(Array(3).fill('unused'));
  });

  it('takes the survey\'s adjustable classes (K) as 农用地, apart from cultivated land', () => {
    for (const code of ['0201K', '0301K', '0404K', '1104K']) {
      expect(legalCategoryOf(code), code).toBe('agricultural');
      expect(isCultivated(code), code).toBe(false);
    }
    expect(landClassLabel('1104K')).toBe('1104K 可调整养殖坑塘');
  });

  it('places a bare first-level code only where the whole class shares one category', () => {
    expect(legalCategoryOf('03')).toBe('agricultural');
    expect(legalCategoryOf('07')).toBe('construction');
    expect(legalCategoryOf('11')).toBeUndefined();
    expect(legalCategoryOf('9999')).toBeUndefined();
  });

  it('keeps every code to the stored pattern (migrations/014_land_use.sql)', () => {
    for (const code of LAND_CLASS_BY_CODE.keys()) expect(code).toMatch(/^[0-9]{2}[0-9A-Z]{0,3}$/);
  });
});
