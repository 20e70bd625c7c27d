// The export's choices as people pick them (the exchange panel and the attribute table's export):
// option labels are functions, so they follow the interface language.
import { t } from '../i18n/i18n.svelte.ts';
import type { ExportFormat } from './api.ts';

export const EXPORT_FORMATS: [ExportFormat, () => string][] = [['shp', () => 'Shapefile (zip)'], ['gpkg', () => 'GeoPackage'], ['geojson', () => 'GeoJSON'],
  ['csv', () => 'CSV (WKT)'], ['kml', () => 'KML'], ['dxf', () => 'DXF (CAD)'], ['xlsx', () => t('exLedger')], ['txt', () => t('exBoundaryTxt')]];

export const EXPORT_CRS: [string, () => string][] = [['', () => t('exDefault')], ['EPSG:4490', () => t('exCrs4490')], ['EPSG:4326', () => 'WGS 84 (4326)'],
  ['gk', () => t('exCrsGk')], ['gk-noprefix', () => t('exCrsGkNoPrefix')], ['EPSG:4524', () => t('exCrsZone', { z: 36, epsg: 4524 })],
  ['EPSG:4525', () => t('exCrsZone', { z: 37, epsg: 4525 })], ['EPSG:4545', () => 'CM108 (4545)'], ['EPSG:4546', () => 'CM111 (4546)']];
