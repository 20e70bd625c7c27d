// GeoPackage 1.3 written with better-sqlite3 straight into the export's file (a GeoPackage is a SQLite
// database with a documented schema: application_id 'GPKG', gpkg_spatial_ref_sys, gpkg_contents,
// gpkg_geometry_columns; geometry as the GeoPackage binary header + little-endian WKB).
// Rows go in one transaction per batch, so memory stays flat. Read back the same way.
import type Database from 'better-sqlite3';
import { crsInfo } from '../../../geo/crs.ts';
import { ogcWkt } from '../../../geo/formats/crs-detect.ts';
import type { Geometry } from '../../../geo/formats/geometry.ts';
import { parseWkb } from '../../../geo/formats/wkb.ts';
import type { ExportFeature } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature, type UploadedFile } from '../types.ts';
import { extOf, headOf } from './common.ts';
import { scanWkb, WkbScan } from './wkb-scan.ts';

const GEOMETRY_TYPE: Record<string, string> = { polygon: 'MULTIPOLYGON', line: 'MULTILINESTRING', point: 'POINT' };

/** GeoPackage geometry blob: 'GP', version 0, flags (little-endian, xy envelope), srs_id, envelope, WKB. */
export function gpkgBlob(wkb: Uint8Array, srsId: number, envelope: [number, number, number, number]): Buffer {
  const blob = Buffer.allocUnsafe(8 + 32 + wkb.length);
  blob.write('GP', 0, 'latin1');
  blob.writeUInt8(0, 2);
  blob.writeUInt8(0b0000_0011, 3); // envelope [minx, maxx, miny, maxy], little-endian
  blob.writeInt32LE(srsId, 4);
  const [x0, y0, x1, y1] = envelope;
  blob.writeDoubleLE(x0, 8); blob.writeDoubleLE(x1, 16); blob.writeDoubleLE(y0, 24); blob.writeDoubleLE(y1, 32);
  blob.set(wkb, 40);
  return blob;
}

/** gpkgBlob written into `out` (envelope from the scan); returns its length. */
function gpkgBlobInto(out: Buffer, wkb: Uint8Array, srsId: number, s: WkbScan): number {
  out[0] = 0x47; out[1] = 0x50; // 'GP'
  out[2] = 0;
  out[3] = 0b0000_0011;
  out.writeInt32LE(srsId, 4);
  out.writeDoubleLE(s.minX, 8); out.writeDoubleLE(s.maxX, 16); out.writeDoubleLE(s.minY, 24); out.writeDoubleLE(s.maxY, 32);
  out.set(wkb, 40);
  return 40 + wkb.length;
}

/** The blob of an empty geometry: no envelope, the empty flag (bit 4) set. */
function gpkgEmptyBlob(wkb: Uint8Array, srsId: number): Buffer {
  const header = Buffer.alloc(8);
  header.write('GP', 0, 'latin1');
  header.writeUInt8(0b0001_0001, 3); // empty, no envelope, little-endian
  header.writeInt32LE(srsId, 4);
  return Buffer.concat([header, wkb]);
}

export function parseGpkgBlob(blob: Buffer): Geometry {
  if (blob.length < 8 || blob.toString('latin1', 0, 2) !== 'GP') throw new Error('not a GeoPackage geometry');
  const flags = blob[3];
  const envelope = [0, 32, 48, 48, 64][(flags >> 1) & 0b111] ?? 0;
  return parseWkb(blob.subarray(8 + envelope));
}

const sqlName = (s: string) => `"${s.replace(/"/g, '""')}"`;

function initGeoPackage(db: Database.Database, table: string, epsg: number, geomType: string, columns: [string, string][]): void {
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // rows go in in rowid order: only the B-tree's right edge is hot. better-sqlite3's default page cache is
  // 16 MB, which a large export fills and keeps; 2 MB (SQLite's own default) costs no time here
  db.pragma('cache_size = -2000');
  db.pragma('application_id = 1196444487'); // 'GPKG'
  db.pragma('user_version = 10300');
  db.exec(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
    CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
    CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
    z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));`);
  const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
  srs.run('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
  srs.run('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
  srs.run('WGS 84 geodetic', 4326, 'EPSG', 4326, ogcWkt(4326), 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
  if (epsg !== 4326) srs.run(crsInfo(epsg).name, epsg, 'EPSG', epsg, ogcWkt(epsg), crsInfo(epsg).name);
  db.exec(`CREATE TABLE ${sqlName(table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom ${geomType}${columns.map(([n, t]) => `, ${sqlName(n)} ${t}`).join('')})`);
  db.prepare(`INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)`).run(table, table, epsg);
  db.prepare('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)').run(table, 'geom', geomType, epsg);
}

export const gpkgExporter: Exporter = {
  id: 'gpkg',
  label: 'GeoPackage',
  extension: 'gpkg',
  contentType: 'application/geopackage+sqlite3',
  defaultCrs: 4490,
  async spool(src, _opts, file) {
    const { default: Database } = await import('better-sqlite3'); // loaded on use: a CLI run pays only for its format
    const db = new Database(file);
    try {
      const table = src.layer.id;
      const geomType = GEOMETRY_TYPE[src.layer.geometry];
      const columns: [string, string][] = src.fields.map((f) => [f.name, f.type === 'Number' ? (f.sql.endsWith('::int') ? 'INTEGER' : 'REAL') : f.type === 'Boolean' ? 'BOOLEAN' : 'TEXT']);
      initGeoPackage(db, table, src.crs.epsg, geomType, columns);
      const insert = db.prepare(`INSERT INTO ${sqlName(table)} (fid, geom${columns.map(([n]) => `, ${sqlName(n)}`).join('')}) VALUES (?, ?${columns.map(() => ', ?').join('')})`);
      const bounds = [Infinity, Infinity, -Infinity, -Infinity];
      const names = src.fields.map((f) => f.name);
      const isBool = src.fields.map((f) => f.type === 'Boolean');
      const srsId = src.crs.epsg;
      const scan = new WkbScan();
      const args: unknown[] = new Array(2 + names.length);
      let blob = Buffer.allocUnsafeSlow(1 << 16);
      // one transaction per batch; one argument array reused for every row
      const insertBatch = db.transaction((batch: ExportFeature[]) => {
        for (let i = 0; i < batch.length; i++) {
          const f = batch[i];
          scanWkb(f.wkb, scan, false);
          if (scan.parts > 0) {
            if (scan.minX < bounds[0]) bounds[0] = scan.minX;
            if (scan.minY < bounds[1]) bounds[1] = scan.minY;
            if (scan.maxX > bounds[2]) bounds[2] = scan.maxX;
            if (scan.maxY > bounds[3]) bounds[3] = scan.maxY;
          }
          args[0] = f.id;
          // PostGIS's WKB as is (little-endian, Multi* as stored) behind the GeoPackage header
          // one blob buffer for every row: SQLite copies what it is bound to
          if (40 + f.wkb.length > blob.length) blob = Buffer.allocUnsafeSlow(2 * (40 + f.wkb.length));
          args[1] = scan.parts > 0 ? blob.subarray(0, gpkgBlobInto(blob, f.wkb, srsId, scan)) : gpkgEmptyBlob(f.wkb, srsId);
          for (let k = 0; k < names.length; k++) {
            const v = f.props[names[k]];
            args[2 + k] = v === undefined || v === null ? null : isBool[k] ? (v ? 1 : 0) : v;
          }
          insert.run(args);
        }
      });
      for await (const batch of src.batches()) insertBatch(batch);
      if (Number.isFinite(bounds[0])) db.prepare('UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?').run(...bounds);
    } finally {
      db.close();
    }
  },
};

/**
 * The SQLite header's own size checked against the file (https://sqlite.org/fileformat.html §1.3): a
 * page count that is valid (bytes 92–95 = the change counter) and claims more pages than the file holds
 * is refused before SQLite reads a page.
 */
function checkSqliteHeader(file: UploadedFile, head: Buffer): void {
  if (head.length < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new FileFormatError(file.name, undefined, 'not a readable GeoPackage (no SQLite header)');
  }
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new FileFormatError(file.name, undefined, `not a readable GeoPackage (page size ${raw})`);
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > file.size) {
    throw new FileFormatError(file.name, undefined, `the header declares ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes), the file has ${file.size}`);
  }
}

export const gpkgImporter: Importer = {
  id: 'gpkg',
  accepts: (files) => files.length === 1 && (extOf(files[0].name) === 'gpkg' || headOf(files[0], 16).toString('latin1', 0, 15) === 'SQLite format 3'),
  async read(files, opts) {
    const file = files[0];
    checkSqliteHeader(file, headOf(file, 100));
    const { default: Database } = await import('better-sqlite3');
    let db: Database.Database;
    try {
      db = new Database(file.path, { readonly: true, fileMustExist: true });
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      throw new FileFormatError(file.name, undefined, `not a readable GeoPackage (SQLite): ${(err as Error).message}`);
    }
    try {
      let gc: { table_name: string; column_name: string; srs_id: number } | undefined;
      try {
        gc = db.prepare(`SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c USING (table_name)
          WHERE c.data_type = 'features' ORDER BY g.table_name LIMIT 1`).get() as typeof gc;
      } catch {
        throw new FileFormatError(file.name, undefined, 'a SQLite file without GeoPackage tables (gpkg_geometry_columns)');
      }
      if (!gc) throw new FileFormatError(file.name, undefined, 'the GeoPackage has no feature table');
      const features: ParsedFeature[] = [];
      let i = 0;
      let srs: { organization: string; code: number; definition: string } | undefined;
      let fields: string[];
      try {
        srs = db.prepare('SELECT organization, organization_coordsys_id AS code, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?').get(gc.srs_id) as typeof srs;
        const cols = (db.prepare(`PRAGMA table_info(${sqlName(gc.table_name)})`).all() as { name: string; pk: number }[]);
        fields = cols.filter((c) => c.name !== gc!.column_name && !c.pk).map((c) => c.name);
        for (const row of db.prepare(`SELECT * FROM ${sqlName(gc.table_name)}`).iterate() as Iterable<Record<string, unknown>>) {
          i++;
          const blob = row[gc.column_name] as Buffer | null;
          let geometry: Geometry | null = null;
          if (blob) {
            try { geometry = parseGpkgBlob(blob); } catch (err) { throw new FileFormatError(file.name, `${gc.table_name} row ${i}`, (err as Error).message); }
          }
          const props: Record<string, unknown> = {};
          for (const f of fields) props[f] = row[f];
          features.push({ ref: `row ${i}`, props, geometry, issues: [] });
        }
      } catch (err) {
        if (err instanceof FileFormatError) throw err;
        // SQLite's own refusals of a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB, …) met while reading
        if ((err as { code?: string }).code?.startsWith('SQLITE_')) throw new FileFormatError(file.name, i ? `${gc.table_name} row ${i + 1}` : undefined, `damaged GeoPackage: ${(err as Error).message}`);
        throw err;
      }
      const code = srs && srs.organization?.toUpperCase() === 'EPSG' ? Number(srs.code) : undefined;
      return {
        format: 'gpkg', fields, features,
        epsg: code ?? opts.epsg, crsSource: code ? 'header' : opts.epsg ? 'request' : undefined,
        notes: [`table ${gc.table_name}`],
      };
    } finally {
      db.close();
    }
  },
};
