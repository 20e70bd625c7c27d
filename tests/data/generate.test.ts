// The demo-district generator on its own: deterministic, the right amounts, the seed's facts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DISTRICT_BBOX } from '../../geo/layers.ts';
import { countRows, generateDistrict } from '../../data/demo/index.ts';
import type { District } from '../../data/demo/types.ts';

const hashOf = (d: District): string => createHash('sha256').update(JSON.stringify(d)).digest('hex');
const demo = generateDistrict();

function allCoordinates(d: District): number[][] {
  const out: number[][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(c as number[]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  for (const rows of Object.values(d)) {
    if (!Array.isArray(rows)) continue;
    for (const row of rows as Record<string, unknown>[]) {
      for (const v of Object.values(row)) if (v && typeof v === 'object' && 'coordinates' in v) walk((v as { coordinates: unknown }).coordinates);
    }
  }
  return out;
}

/** Plane area of a lon/lat MultiPolygon near Guigang, in 亩 (good to a fraction of a percent). */
function redLineMu(coordinates: number[][][][]): number {
  const kx = 111_320 * Math.cos((23.09 * Math.PI) / 180);
  const ky = 110_760;
  let m2 = 0;
  for (const polygon of coordinates) {
    polygon.forEach((ring, i) => {
      let s = 0;
      for (let k = 0; k < ring.length - 1; k++) s += ring[k][0] * kx * ring[k + 1][1] * ky - ring[k + 1][0] * kx * ring[k][1] * ky;
      m2 += (i === 0 ? 1 : -1) * Math.abs(s / 2);
    });
  }
  return (m2 * 15) / 10_000;
}

describe('generateDistrict', () => {
  it('gives the same rows every time for the same seed', () => {
    expect(hashOf(generateDistrict())).toBe(hashOf(demo));
  });

  it('gives different rows for a different seed', () => {
    expect(hashOf(generateDistrict({ seed: 7 }))).not.toBe(hashOf(demo));
  });

  it('has the demo amounts at scale 1', () => {
    const n = countRows(demo);
    expect(n.command_area).toBe(3);
    expect(n.township).toBeGreaterThanOrEqual(8);
    expect(n.township).toBeLessThanOrEqual(12);
    expect(n.village).toBeGreaterThanOrEqual(50);
    expect(n.village).toBeLessThanOrEqual(80);
    expect(n.park).toBe(4);
    expect(n.project).toBeGreaterThanOrEqual(25);
    expect(n.project).toBeLessThanOrEqual(35);
    expect(n.parcel).toBeGreaterThanOrEqual(3_000);
    expect(n.parcel).toBeLessThanOrEqual(6_000);
    expect(n.house).toBeGreaterThanOrEqual(200);
    expect(n.house).toBeLessThan(1_000);
  });

  it('names the command areas guicheng, gangcheng and outer', () => {
    expect(demo.command_area.map((a) => a.code).sort()).toEqual(['gangcheng', 'guicheng', 'outer']);
  });

  it('includes the projects the seed names', () => {
    const names = demo.project.map((p) => p.name);
    for (const name of ['港区大道（金港大道－城东大道）', '富源商住小区', '中港华府（三）A区', '中港华府（三）A－2区', '仙衣路（建设路—西环路）改造工程',
      '猫儿山至武乐公路', '旺华郁江大桥及东二环工程', '骑楼街区综合改造', '郁江两岸综合治理工程', '粤桂园港区大道（粤桂三路至华电路）', '粤港二路']) {
      expect(names).toContain(name);
    }
  });

  it('leaves 旺华郁江大桥 without a red line and without parcels', () => {
    const bridge = demo.project.find((p) => p.name === '旺华郁江大桥及东二环工程');
    expect(bridge?.red_line).toBeNull();
    expect(demo.parcel.filter((p) => p.project_id === bridge?.id)).toHaveLength(0);
  });

  it('places every coordinate inside the district extent', () => {
    const [w, s, e, n] = DISTRICT_BBOX;
    const outside = allCoordinates(demo).filter(([x, y]) => x < w || x > e || y < s || y > n);
    expect(outside).toEqual([]);
  });

  it('spreads parcel agreements over 2021 and 2022, month by month', () => {
    const months = new Set(demo.parcel.flatMap((p) => [p.signed_on, p.paid_on, p.handed_over_on]).filter((d) => d && d >= '2021-01' && d <= '2022-12-31').map((d) => d!.slice(0, 7)));
    expect(months.size).toBe(24);
  });

  it('keeps every parcel date ordered: signed before paid before handed over, none after 2022', () => {
    const bad = demo.parcel.filter((p) => (p.paid_on && (!p.signed_on || p.paid_on <= p.signed_on))
      || (p.handed_over_on && !(p.paid_on || p.court_filed_on))
      || [p.signed_on, p.paid_on, p.handed_over_on, p.court_filed_on].some((d) => d && d > demo.asOf));
    expect(bad).toEqual([]);
  });

  it('sets each parcel status from its latest step', () => {
    const expected = (p: District['parcel'][number]) => p.handed_over_on ? 'handed_over' : p.court_filed_on ? 'court' : p.paid_on ? 'paid' : p.signed_on ? 'signed' : 'unsigned';
    expect(demo.parcel.filter((p) => p.status !== expected(p))).toEqual([]);
  });

  it('uses every owner type, including 市农投集团, the military and 西江农场', () => {
    const types = new Set(demo.parcel.map((p) => p.owner_type));
    expect([...types].sort()).toEqual(['enterprise', 'household', 'military', 'public_institution', 'state_farm', 'village_collective']);
    expect(demo.parcel.some((p) => p.owner_name === '市农投集团（原市西郊苗圃）')).toBe(true);
  });

  it('sets land targets close to the red-line area in 亩, but not always equal', () => {
    const ratios = demo.project.filter((p) => p.red_line).map((p) => p.land_target_mu / redLineMu(p.red_line!.coordinates));
    expect(ratios.every((r) => r > 0.93 && r < 1.07)).toBe(true);
    expect(ratios.some((r) => Math.abs(r - 1) > 0.005)).toBe(true);
  });

  it('logs a problem of every kind the schema allows', () => {
    const kinds = new Set(demo.problem.map((p) => p.kind));
    for (const k of ['funding', 'public_institution', 'military_land', 'cane_base_replacement', 'resettlement_delay', 'irrigation_damage',
      'reserved_land', 'pension_eligibility', 'illegal_building']) expect(kinds).toContain(k);
  });

  it('records the seed’s public-institution areas: 21, 12 and 8 亩', () => {
    const titles = demo.problem.filter((p) => p.kind === 'public_institution').map((p) => p.title).join('\n');
    expect(titles).toMatch(/中港华府（三）A区.*21亩/);
    expect(titles).toMatch(/中港华府（三）A－2区.*12亩/);
    expect(titles).toMatch(/仙衣路.*8亩/);
  });

  it('owes 留用地 to 粤桂产业园区 and to the two shantytowns since 2012, undelivered', () => {
    const owed = demo.reserved_land.filter((r) => r.delivered_mu === 0);
    expect(owed.some((r) => r.notes?.includes('粤桂产业园区'))).toBe(true);
    expect(owed.filter((r) => r.year === 2012)).toHaveLength(2);
  });

  it('has the seed’s 通车 milestones with their dates', () => {
    const dates = demo.project_milestone.map((m) => m.occurred_on);
    for (const d of ['2021-01-30', '2021-01-31', '2021-02-01', '2021-09-03', '2021-09-30']) expect(dates).toContain(d);
  });
});
