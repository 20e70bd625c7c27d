// The attribute table's CQL2 writer (web/src/table/cql.ts): what it writes for each operator, a quick
// filter and a selection, and that the project's own CQL2 parser (geo/cql2.ts) reads every piece of it.
import { describe, expect, it } from 'vitest';
import { parseCql2 } from '../../geo/cql2.ts';
import { andText, conditionText, type Field, idsFilter, nextSort, queryText, quickFilter } from '../../web/src/table/cql.ts';

const status: Field = { name: 'status', type: 'string', codes: ['unsigned', 'signed'] };
const area: Field = { name: 'area_mu', type: 'number' };
const owner: Field = { name: 'owner_name', type: 'string' };
const signed: Field = { name: 'signed_on', type: 'date' };

describe('the table’s CQL2', () => {
  it.each([
    [conditionText({ field: 'status', op: '=', values: ['unsigned'] }, status), "status = 'unsigned'"],
    [conditionText({ field: 'status', op: '<>', values: ['signed'] }, status), "status <> 'signed'"],
    [conditionText({ field: 'area_mu', op: '>', values: ['5'] }, area), 'area_mu > 5'],
    [conditionText({ field: 'area_mu', op: '<', values: [' 2.5 '] }, area), 'area_mu < 2.5'],
    [conditionText({ field: 'status', op: 'IN', values: ['unsigned', 'signed'] }, status), "status IN ('unsigned', 'signed')"],
    [conditionText({ field: 'area_mu', op: 'BETWEEN', values: ['1', '5'] }, area), 'area_mu BETWEEN 1 AND 5'],
    [conditionText({ field: 'owner_name', op: 'LIKE', values: ['王'] }, owner), "owner_name LIKE '%王%'"],
    [conditionText({ field: 'owner_name', op: 'LIKE', values: ['王_'] }, owner), "owner_name LIKE '王_'"],
    [conditionText({ field: 'owner_name', op: '=', values: ["O'Neil"] }, owner), "owner_name = 'O''Neil'"],
    [conditionText({ field: 'status', op: '=', values: ['signed'], not: true }, status), "NOT (status = 'signed')"],
    [conditionText({ field: 'signed_on', op: '>=', values: ['2021-06-01'] }, signed), "signed_on >= '2021-06-01'"],
    [queryText([{ text: "status = 'unsigned'" }, { text: 'area_mu > 5' }], 'OR'), "status = 'unsigned' OR area_mu > 5"],
    [queryText([{ text: "status = 'unsigned' OR area_mu > 5" }, { text: 'id > 3' }], 'AND'), "(status = 'unsigned' OR area_mu > 5) AND id > 3"],
    [andText("status = 'unsigned' OR id = 1", 'area_mu > 5'), "(status = 'unsigned' OR id = 1) AND area_mu > 5"],
    [andText('', 'area_mu > 5'), 'area_mu > 5'],
    [quickFilter(area, '>5'), 'area_mu > 5'],
    [quickFilter(area, '<= 3'), 'area_mu <= 3'],
    [quickFilter(area, '2..8'), 'area_mu BETWEEN 2 AND 8'],
    [quickFilter(area, '7'), 'area_mu = 7'],
    [quickFilter(owner, '林'), "owner_name LIKE '%林%'"],
    [quickFilter(status, 'signed'), "status = 'signed'"],
    [idsFilter([30, 4, 12]), 'id IN (4,12,30)'],
  ])('writes %s', (got, want) => {
    expect(got).toBe(want);
    expect(() => parseCql2(got!)).not.toThrow();
  });

  it('refuses a number field’s non-number, writes nothing for an empty quick filter', () => {
    expect(() => conditionText({ field: 'area_mu', op: '>', values: ['five'] }, area)).toThrow(/not a number/);
    expect(quickFilter(area, '  ')).toBeNull();
  });

  it('cycles a column’s sort: ascending, descending, none', () => {
    expect(nextSort(null, 'area_mu')).toEqual({ key: 'area_mu', desc: false });
    expect(nextSort({ key: 'area_mu', desc: false }, 'area_mu')).toEqual({ key: 'area_mu', desc: true });
    expect(nextSort({ key: 'area_mu', desc: true }, 'area_mu')).toBeNull();
    expect(nextSort({ key: 'area_mu', desc: true }, 'code')).toEqual({ key: 'code', desc: false });
  });
});
