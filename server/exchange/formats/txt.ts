// The ministry boundary-point TXT (部标格式): Gauss–Krüger coordinates only (X northing first, Y
// easting with the zone prefix), one [地块坐标] block per feature, area in 公顷 (Gauss-plane area, 4
// decimals); GBK with CRLF by default, UTF-8 on request. The reader and writer are in
// geo/formats/ministry-txt.ts; this module adapts them to exports and imports.
import { readFile } from 'node:fs/promises';
import { LAND_CLASS } from '../../../geo/domain.ts';
import { ministryTxtHeader, ministryTxtParcel, parseMinistryTxt, TxtFormatError } from '../../../geo/formats/ministry-txt.ts';
import { decodeText } from '../../../geo/formats/text.ts';
import type { Geometry } from '../../../geo/formats/geometry.ts';
import { polygonsOf } from '../../../geo/formats/geometry.ts';
import { geometryOf } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { encodeText, extOf, textValue } from './common.ts';

export const txtExporter: Exporter = {
  id: 'txt',
  label: '部标界址点 TXT',
  extension: 'txt',
  contentType: 'text/plain',
  defaultCrs: 'gk',
  crsKind: 'projected',
  defaultEncoding: 'gbk',
  areas: true,
  async *write(src, opts) {
    const o = { zone: src.zone, eol: opts.eol ?? '\r\n', producer: '征收一张图（演示数据）' } as const;
    yield encodeText(ministryTxtHeader(o), opts.encoding);
    for await (const batch of src.batches()) {
      const text = batch.map((f) => {
        const g = geometryOf(f);
        const landClass = textValue(f.props.land_class);
        return ministryTxtParcel({
          code: textValue(f.props.code ?? f.id),
          name: textValue(f.props.owner_name ?? f.props.name ?? ''),
          use: LAND_CLASS[landClass]?.zh ?? '',
          landClass,
          areaM2: f.planarM2,
          polygons: polygonsOf(g),
        }, o);
      }).join('');
      yield encodeText(text, opts.encoding);
    }
  },
};

export const txtImporter: Importer = {
  id: 'txt',
  accepts: (files) => files.length === 1 && extOf(files[0].name) === 'txt',
  async read(files, opts) {
    const file = files[0];
    const { text, encoding, bom } = decodeText(await readFile(file.path), opts.encoding);
    let doc;
    try {
      doc = parseMinistryTxt(text);
    } catch (err) {
      if (err instanceof TxtFormatError) throw new FileFormatError(file.name, `line ${err.line}`, err.message.replace(/^line \d+: /, ''));
      throw err;
    }
    const notes = [...doc.notes, `encoding ${encoding === 'gbk' ? 'GBK' : 'UTF-8'}${bom ? ' with BOM' : ''}`];
    const features: ParsedFeature[] = doc.parcels.map((p) => {
      const geometry: Geometry | null = p.kind === '面'
        ? p.polygons.length === 1 ? { type: 'Polygon', coordinates: p.polygons[0] } : { type: 'MultiPolygon', coordinates: p.polygons }
        : null;
      const props: Record<string, unknown> = {
        地块编号: p.code, 地块名称: p.name, 图形属性: p.kind, 图幅号: p.sheet, 地块用途: p.use, 地类编码: p.landClass,
        ...(p.description !== undefined ? { 描述: p.description } : {}), 点数: p.declaredPoints ?? null, '面积(公顷)': p.areaHectare ?? null,
      };
      return {
        ref: `line ${p.line}`, props, geometry,
        fileAreaM2: p.areaHectare !== undefined ? p.areaHectare * 10_000 : undefined,
        fileAreaRoundingM2: 0.5 * 10 ** -p.areaDecimals * 10_000,
        issues: p.notes.map((n) => ({ code: /not closed/.test(n) ? 'unclosed_ring' : /points/.test(n) ? 'point_count' : 'note', severity: 'info' as const, message: n })),
      };
    });
    const fields = ['地块编号', '地块名称', '图形属性', '图幅号', '地块用途', '地类编码', '描述', '点数', '面积(公顷)'];
    if (doc.epsg) {
      return { format: 'txt', epsg: doc.epsg, crsSource: doc.header.attributes['带号'] ? 'header' : 'zone_prefix', encoding, fields, features, notes };
    }
    return { format: 'txt', epsg: opts.epsg, crsSource: opts.epsg ? 'request' : undefined, encoding, fields, features, notes: [...notes, 'no 带号 and no zone prefix: the zone must be given'] };
  },
};
