// The Excel ledger (台账): one row per feature with Chinese headers, areas in 亩 and m² (ellipsoidal,
// and the Gauss-plane figure beside it), statuses and owner types in Chinese, amounts, and a totals
// row (合计). Written with ExcelJS's streaming writer into a temporary file, then streamed. Read back
// for attribute updates (statuses by 宗地编号): an attribute-only import.
import { readFile } from 'node:fs/promises';
import type ExcelJSModule from 'exceljs';
import { LAND_CLASS, OWNER_TYPE, TAKE_STATUS } from '../../../geo/domain.ts';
import type { LayerDef } from '../../../geo/layers.ts';
import { m2ToMu } from '../../../geo/units.ts';
import { FIELD_LABEL } from '../fields.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { extOf } from './common.ts';

const LEDGER_SKIP = new Set(['area_mu']);

function header(name: string): string {
  return FIELD_LABEL[name]?.zh ?? name;
}

function display(name: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (name === 'status' && typeof v === 'string') return TAKE_STATUS[v as keyof typeof TAKE_STATUS]?.zh ?? v;
  if (name === 'owner_type' && typeof v === 'string') return OWNER_TYPE[v as keyof typeof OWNER_TYPE]?.zh ?? v;
  return v;
}

const SUMMED = new Set(['agreed_compensation_yuan', 'paid_yuan', 'building_area_m2', 'owed_mu', 'delivered_mu', 'land_target_mu', 'house_target_m2']);

export const xlsxExporter: Exporter = {
  id: 'xlsx',
  label: 'Excel 台账',
  extension: 'xlsx',
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  defaultCrs: 4490,
  areas: true,
  extra(layer: LayerDef): Record<string, string> {
    const out: Record<string, string> = {};
    if (layer.attributes.includes('project_id')) out.project_name = '(SELECT p.name FROM project p WHERE p.id = t.project_id)';
    return out;
  },
  async spool(src, _opts, file) {
    const ExcelJS = await loadExcel();
    // shared strings (held in memory to the end): GDAL's XLSX reader does not take inline strings
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
    wb.creator = '征收一张图';
    const ws = wb.addWorksheet(`${src.layer.title.zh}台账`, { views: [{ state: 'frozen', ySplit: 1 }] });
    const fields = src.fields.filter((f) => !LEDGER_SKIP.has(f.name));
    const hasProject = src.layer.attributes.includes('project_id');
    const isArea = src.layer.geometry === 'polygon';
    const columns: { header: string; key: string; width: number; numFmt?: string }[] = [
      { header: '序号', key: 'id', width: 8 },
      ...fields.map((f) => ({ header: header(f.name), key: f.name, width: Math.max(10, header(f.name).length * 2 + 2), ...(SUMMED.has(f.name) ? { numFmt: '#,##0.00' } : {}) })),
      ...(hasProject ? [{ header: '项目名称', key: 'project_name', width: 28 }] : []),
      ...(f_landClass(fields) ? [{ header: '地类名称', key: 'land_class_name', width: 12 }] : []),
      ...(isArea ? [
        { header: '面积(亩)', key: 'area_mu', width: 12, numFmt: '0.00' },
        { header: '面积(m²，椭球面)', key: 'area_m2', width: 16, numFmt: '#,##0.00' },
        { header: '面积(m²，高斯平面)', key: 'planar_m2', width: 18, numFmt: '#,##0.00' },
      ] : []),
    ];
    ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    const totals: Record<string, number> = {};
    const add = (k: string, v: unknown) => { if (typeof v === 'number') totals[k] = (totals[k] ?? 0) + v; };
    let rows = 0;
    for await (const batch of src.batches()) {
      for (const f of batch) {
        const row: Record<string, unknown> = { id: f.id };
        for (const fd of fields) { row[fd.name] = display(fd.name, f.props[fd.name]); if (SUMMED.has(fd.name)) add(fd.name, f.props[fd.name]); }
        if (hasProject) row.project_name = f.extra.project_name;
        if (f_landClass(fields)) row.land_class_name = LAND_CLASS[String(f.props.land_class)]?.zh ?? null;
        if (isArea) {
          row.area_mu = f.areaM2 !== undefined ? Math.round(m2ToMu(f.areaM2) * 100) / 100 : null;
          row.area_m2 = f.areaM2 !== undefined ? Math.round(f.areaM2 * 100) / 100 : null;
          row.planar_m2 = f.planarM2 !== undefined ? Math.round(f.planarM2 * 100) / 100 : null;
          add('area_m2', f.areaM2); add('planar_m2', f.planarM2);
        }
        ws.addRow(row).commit();
        rows++;
      }
    }
    const total: Record<string, unknown> = { id: '合计' };
    for (const [k, v] of Object.entries(totals)) total[k] = Math.round(v * 100) / 100;
    if (isArea && totals.area_m2 !== undefined) total.area_mu = Math.round(m2ToMu(totals.area_m2) * 100) / 100;
    if (fields.length) total[fields[0].name] = `${rows} 宗`;
    const tr = ws.addRow(total);
    tr.font = { bold: true };
    tr.commit();
    ws.commit();
    await wb.commit();
  },
};

/** ExcelJS is large: loaded when a ledger is written or read, not with every export. */
const loadExcel = async (): Promise<typeof ExcelJSModule> => (await import('exceljs')).default;

function f_landClass(fields: { name: string }[]): boolean {
  return fields.some((f) => f.name === 'land_class');
}

export const xlsxImporter: Importer = {
  id: 'xlsx',
  accepts: (files) => files.length === 1 && extOf(files[0].name) === 'xlsx',
  async read(files) {
    const file = files[0];
    const ExcelJS = await loadExcel();
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load((await readFile(file.path)) as unknown as ArrayBuffer);
    } catch (err) {
      throw new FileFormatError(file.name, undefined, `not a readable Excel workbook: ${(err as Error).message}`);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new FileFormatError(file.name, undefined, 'the workbook has no sheet');
    const headers: string[] = [];
    ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => { headers[col - 1] = String(cell.value ?? '').trim(); });
    if (!headers.includes('宗地编号') && !headers.includes('code')) {
      throw new FileFormatError(file.name, `sheet ${ws.name} row 1`, 'no 宗地编号 (code) column: the ledger import updates parcels by their code');
    }
    const features: ParsedFeature[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const first = row.getCell(1).value;
      if (first === '合计') return;
      const props: Record<string, unknown> = {};
      headers.forEach((h, i) => {
        if (!h) return;
        let v = row.getCell(i + 1).value as unknown;
        if (v && typeof v === 'object' && 'result' in (v as object)) v = (v as { result: unknown }).result;
        if (v && typeof v === 'object' && 'richText' in (v as object)) v = (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('');
        props[h] = v ?? null;
      });
      features.push({ ref: `sheet ${ws.name} row ${n}`, props, geometry: null, issues: [] });
    });
    return { format: 'xlsx', fields: headers.filter(Boolean), features, notes: [`sheet ${ws.name}`], attributesOnly: true };
  },
};
