// The printable conflict report (压占分析报告) in Chinese: project, date, analyst, a map of the red line
// with its overlaps (SVG in the Gauss–Krüger plane, so it needs no tiles and prints sharp), one table
// per layer, totals, and the area convention. One HTML page with a print stylesheet; the PDF is the
// same page printed by headless Chromium (pdf.ts).
import { CONFLICT_LAYER_BY_ID, projectToGaussKruger } from '../../geo/area.ts';
import { FARMLAND_KIND, LAND_CLASS, MILITARY_USE } from '../../geo/domain.ts';
import { LEGAL_CATEGORY } from '../../geo/landclass.ts';
import { PLANNING_ROWS } from '../../geo/landuse.ts';
import { printStyle } from './print-style.ts';
import { vocabulary } from '../../geo/vocabulary.ts';
import { beijingDate, beijingDateTime } from '../../geo/time.ts';
import type { ConflictFeature, ConflictResult } from './analysis.ts';
import { gaussKrugerEpsg } from '../../geo/crs.ts';
import { packagePoints } from './points.ts';

export interface ReportMeta {
  /** 项目名称: the stored project's, or what the planner typed for a drawn red line */
  projectName?: string;
  analyst?: string;
  /** 编制单位 and 审核人 of the sign-off block */
  unit?: string;
  reviewer?: string;
  /** YYYY-MM-DD; default the Beijing day of the analysis */
  date?: string;
}

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const fmt = (v: number, digits: number): string =>
  v.toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A short description of a taken feature for its table row. */
export function describe(layerId: string, p: Record<string, unknown>): string {
  const parts: string[] = [];
  if (layerId.endsWith('farmland')) {
    const k = FARMLAND_KIND[p.kind as keyof typeof FARMLAND_KIND];
    if (k) parts.push(k.zh);
    const lc = LAND_CLASS[String(p.land_class)];
    if (lc) parts.push(`${p.land_class} ${lc.zh}`);
  } else if (layerId === 'military_land') {
    const u = MILITARY_USE[p.use as keyof typeof MILITARY_USE];
    if (u) parts.push(u.zh);
    if (p.unit) parts.push(String(p.unit));
  } else if (layerId === 'eco_redline') {
    const k = vocabulary('eco_redline', 'kind')?.[String(p.kind)];
    if (k) parts.push(`主导功能：${k.zh}`);
  } else if (layerId === 'cane_base') {
    if (p.grower) parts.push(`经营主体：${p.grower}`);
  } else if (layerId === 'disputed_land') {
    if (p.parties) parts.push(String(p.parties));
  } else if (layerId === 'reserved_land') {
    if (p.year) parts.push(`${p.year} 年`);
    if (p.owed_mu !== undefined) parts.push(`应留 ${p.owed_mu} 亩`);
  }
  return parts.join('；');
}

/** The map: red line and overlaps projected into the GK zone, fitted to the frame, with a scale bar. */
export function mapSvg(result: ConflictResult, width = 680, height = 420): string {
  const zone = result.convention.zone;
  const pad = 16;
  const rl = projectToGaussKruger(result.redLine.geometry, zone);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of rl) for (const pt of p[0] ?? []) {
    x0 = Math.min(x0, pt[0]); x1 = Math.max(x1, pt[0]); y0 = Math.min(y0, pt[1]); y1 = Math.max(y1, pt[1]);
  }
  const w = Math.max(x1 - x0, 1), h = Math.max(y1 - y0, 1);
  const s = Math.min((width - 2 * pad) / w, (height - 2 * pad - 24) / h);
  const ox = pad + (width - 2 * pad - w * s) / 2, oy = pad + (height - 2 * pad - 24 - h * s) / 2;
  const path = (polys: number[][][][]) => polys.map((p) => p.map((r) => r.map((pt, i) =>
    `${i ? 'L' : 'M'}${(ox + (pt[0] - x0) * s).toFixed(1)} ${(oy + (y1 - pt[1]) * s).toFixed(1)}`).join('') + 'Z').join('')).join('');
  const overlaps = result.layers.flatMap((l) => {
    const color = CONFLICT_LAYER_BY_ID.get(l.id)?.color ?? '#888';
    return l.features.map((f) => `<path d="${path(projectToGaussKruger(f.geometry, zone))}" fill="${color}" fill-opacity="0.75" stroke="${color}" stroke-width="0.6" fill-rule="evenodd"/>`);
  });
  // scale bar: a round length near a fifth of the frame
  const target = (width / 5) / s;
  const pow = 10 ** Math.floor(Math.log10(target));
  const len = [1, 2, 5, 10].map((k) => k * pow).filter((v) => v <= target).pop() ?? pow;
  const barPx = len * s;
  const label = len >= 1000 ? `${len / 1000} 千米` : `${len} 米`;
  const legend = result.layers.filter((l) => l.count > 0).map((l, i) => {
    const color = CONFLICT_LAYER_BY_ID.get(l.id)?.color ?? '#888';
    return `<g transform="translate(${pad + 170 + i * 110},${height - 18})"><rect width="12" height="10" fill="${color}"/><text x="16" y="9">${esc(l.title.zh)}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="红线压占示意图">
  <rect width="${width}" height="${height}" fill="#fff" stroke="#999"/>
  <path d="${path(rl)}" fill="#e0245e" fill-opacity="0.08" stroke="none" fill-rule="evenodd"/>
  ${overlaps.join('\n  ')}
  <path d="${path(rl)}" fill="none" stroke="#e0245e" stroke-width="1.6" fill-rule="evenodd"/>
  <g font-size="10" font-family="'Noto Sans CJK SC','Noto Sans SC',sans-serif" fill="#333">
    <g transform="translate(${pad},${height - 18})"><rect width="${barPx.toFixed(1)}" height="4" fill="#333"/><text y="14">0</text><text x="${barPx.toFixed(1)}" y="14" text-anchor="end">${label}</text></g>
    ${legend.join('')}
    <g transform="translate(${width - 26},${pad + 4})"><path d="M0 14 L6 -4 L12 14 L6 9Z" fill="#333"/><text x="6" y="26" text-anchor="middle">北</text></g>
  </g>
</svg>`;
}

function areaCells(a: ConflictFeature['area']): string {
  return `<td class="n">${fmt(a.ellipsoidal.m2, 2)}</td><td class="n">${fmt(a.ellipsoidal.mu, 2)}</td><td class="n">${fmt(a.ellipsoidal.hectare, 4)}</td>` +
    `<td class="n">${fmt(a.planar.m2, 2)}</td><td class="n">${fmt(a.planar.mu, 2)}</td>`;
}

const AREA_HEAD = '<th>椭球面积<br>(m²)</th><th>椭球面积<br>(亩)</th><th>椭球面积<br>(公顷)</th><th>平面面积<br>(m²)</th><th>平面面积<br>(亩)</th>';

/** 界址点坐标表: the red line's boundary points in the analysis' zone, numbered as the approval package numbers them. */
function pointTable(result: ConflictResult): string {
  const { points, rings } = packagePoints(result);
  const zone = result.convention.zone;
  const rows = points.map((p) => `<tr data-point="${p.name}"><td class="n">${p.ring}</td><td>${p.name}</td><td class="n">${p.x.toFixed(3)}</td><td class="n">${p.y.toFixed(3)}</td><td class="n">${p.edgeM.toFixed(2)}</td></tr>`).join('');
  const perimeter = points.reduce((a, p) => a + p.edgeM, 0);
  return `<table class="points"><thead><tr><th>圈号</th><th>点号</th><th>X（北坐标，m）</th><th>Y（东坐标，m）</th><th>边长（m）</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">合计：界址点 ${points.length} 个，${rings} 圈，周长</td><td class="n">${fmt(perimeter, 2)}</td></tr></tfoot></table>
<p class="note">2000国家大地坐标系（CGCS2000），3度带高斯-克吕格投影第 ${zone} 带，中央经线 ${zone * 3}°E（EPSG:${gaussKrugerEpsg(zone, true)}）；X 为北坐标，Y 为东坐标（含带号）。边长为本点至下一点（末点至首点）的距离，由所列坐标计算。外圈顺时针、内圈逆时针，闭合点即首点，不重复列出。</p>`;
}

export function reportHtml(result: ConflictResult, meta: ReportMeta = {}): string {
  const project = meta.projectName || (result.redLine.project ? `${result.redLine.project.name}（${result.redLine.project.code}）` : '未命名红线');
  const date = meta.date || beijingDate(result.computedAt);
  const analyst = meta.analyst || '—';
  const taken = result.layers.filter((l) => l.count > 0);
  const summaryRows = result.layers.map((l) => `<tr data-layer="${l.id}"><td>${esc(l.title.zh)}</td><td class="n">${l.count}</td>${areaCells(l.total)}</tr>`).join('');
  const layerTables = taken.map((l, li) => {
    const rows = l.features.map((f, i) => `<tr><td class="n">${i + 1}</td><td class="code">${esc(f.properties.code ?? f.id)}</td><td>${esc(f.properties.name ?? '')}</td><td>${esc(describe(l.id, f.properties))}</td>${areaCells(f.area)}</tr>`).join('');
    const sliverNote = l.slivers.length
      ? `<p class="note">另有 ${l.slivers.length} 处压占面积小于 ${result.convention.toleranceM2} m² 的碎片（${l.slivers.map((s) => esc(s.properties.code ?? s.id)).join('、')}），未计入合计。</p>` : '';
    const withheld = l.features.some((f) => f.withheld?.length) ? '<p class="note">涉密属性已隐去。</p>' : '';
    return `<section class="layer"><h3>${li + 1}. ${esc(l.title.zh)}（${l.count} 处）</h3>
<table><thead><tr><th>序号</th><th>编号</th><th>名称</th><th>说明</th>${AREA_HEAD}</tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">合计</td>${areaCells(l.total)}</tr></tfoot></table>${sliverNote}${withheld}</section>`;
  }).join('\n');
  const rlA = result.redLine.area;
  const c = result.convention;
  const lu = result.landUse;
  const classRows = lu.classes.map((r) => `<tr data-class="${esc(r.code)}"><td class="code">${esc(r.code)}</td><td>${esc(r.name.zh)}</td><td>${r.category ? esc(LEGAL_CATEGORY[r.category].zh) : '—'}</td>${areaCells(r.area)}</tr>`).join('');
  const categoryRows = lu.categories.map((r) => `<tr data-category="${r.category}"><td colspan="3">${esc(r.title.zh)}</td>${areaCells(r.area)}</tr>`).join('');
  const pl = result.planning;
  const consequences = pl.consequences.map((k) => `<li class="${k.severity}" data-rule="${k.rule}">${esc(k.text.zh)}</li>`).join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>红线压占分析报告 · ${esc(project)}</title>
${printStyle(13, `  tbody.categories td { background: #f7f7f7; }
  figure { margin: 0; } figcaption { text-align: center; font-size: 12px; color: #444; }
  .actions { text-align: right; } .actions button { font: inherit; padding: 4px 12px; }
  table.points { width: auto; min-width: 60%; }
  table.signoff { margin-top: 24px; } table.signoff th { width: 5em; } table.signoff td { height: 2.4em; vertical-align: middle; }`, `    .actions { display: none; }
    figure, .summary, table.signoff { break-inside: avoid; page-break-inside: avoid; }
    svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }`)}</head>
<body>
<div class="actions"><button type="button" onclick="window.print()">打印 / 另存为 PDF</button></div>
<h1>建设项目红线压占分析报告</h1>
<p class="synthetic">演示数据，非真实数据</p>
<dl class="meta">
  <dt>项目名称</dt><dd data-field="project">${esc(project)}</dd>
  <dt>分析日期</dt><dd data-field="date">${esc(date)}</dd>
  <dt>分析人</dt><dd data-field="analyst">${esc(analyst)}</dd>
  <dt>红线来源</dt><dd>${result.redLine.source === 'project' ? '项目库存储红线' : `提交图形（EPSG:${result.redLine.inputCrs}${result.redLine.repaired ? '，已用 ST_MakeValid 修复' : ''}）`}，${result.redLine.vertices} 个界址点</dd>
</dl>
<h2>一、红线范围</h2>
<table class="summary"><thead><tr><th>项目</th>${AREA_HEAD}</tr></thead>
<tbody><tr data-row="red-line"><td>红线总面积</td><td class="n">${fmt(rlA.ellipsoidal.m2, 2)}</td><td class="n">${fmt(rlA.ellipsoidal.mu, 2)}</td><td class="n">${fmt(rlA.ellipsoidal.hectare, 4)}</td><td class="n">${fmt(rlA.planar.m2, 2)}</td><td class="n">${fmt(rlA.planar.mu, 2)}</td></tr></tbody></table>
<figure>${mapSvg(result)}<figcaption>图 1 红线（红色边线）与压占范围示意（高斯-克吕格第 ${c.zone} 带平面）</figcaption></figure>
<h2>二、压占汇总</h2>
<table class="summary totals"><thead><tr><th>压占图层</th><th>宗数</th>${AREA_HEAD}</tr></thead><tbody>${summaryRows}</tbody></table>
<p class="note">${taken.length ? `红线共压占 ${result.conflictCount} 处受限地类。` : '红线未压占任何受限地类。'}${result.layers.some((l) => l.id === 'cane_base' && l.count > 0) ? '涉及双高糖料蔗基地，须按被占面积落实调整置换地。' : ''}</p>
<h2>三、分图层压占明细</h2>
${layerTables || '<p>无。</p>'}
<h2>四、地类面积（第三次全国国土调查）</h2>
<table class="landuse"><thead><tr><th>地类编码</th><th>地类名称</th><th>三大类</th>${AREA_HEAD}</tr></thead>
<tbody>${classRows}</tbody>
<tbody class="categories">${categoryRows}</tbody>
<tfoot><tr><td colspan="3">合计（红线总面积）</td>${areaCells(rlA)}</tr></tfoot></table>
<p class="note">地类按 GB/T 21010-2017《土地利用现状分类》二级类，三大类按《土地管理法》。${lu.unsurveyed.ellipsoidal.m2 > 0 ? `红线内 ${fmt(lu.unsurveyed.ellipsoidal.mu, 2)} 亩无三调地类图斑，列为“未调查”，须现场核实。` : ''}${lu.overlapM2 > 0 ? `三调图斑相互重叠 ${fmt(lu.overlapM2, 2)} m²，地类合计大于红线面积，须核查数据。` : ''}</p>
<h2>五、“三区三线”与报批</h2>
<table class="summary planning"><thead><tr><th>控制线</th>${AREA_HEAD}</tr></thead><tbody>
${PLANNING_ROWS.map((row) => `<tr data-line="${row.key}"><td>${row.title.zh}</td>${areaCells(row.area(pl))}</tr>`).join('\n')}
</tbody></table>
<ul class="consequences">${consequences}</ul>
<h2>六、面积计算说明</h2>
<ul class="convention">
  <li>${esc(c.ellipsoidal)}</li>
  <li>${esc(c.planar)}${c.zoneSource === 'override' ? '（带号由分析人指定）' : '（带号取红线中心点所在 3 度带）'}</li>
  <li>${esc(c.mu)}；亩保留两位小数，公顷保留四位小数。</li>
  <li>压占面积小于 ${c.toleranceM2} m² 的碎片（边界拼接误差）单独列出，不计入合计；仅边界相接（面积为零）者不视为压占。</li>
  <li>分析时间：${esc(beijingDateTime(result.computedAt))}（北京时间；服务器 PostGIS 计算结果，为正式数据）。</li>
</ul>
<h2>七、界址点坐标表</h2>
${pointTable(result)}
<table class="signoff"><tbody><tr>
  <th>编制单位</th><td data-field="unit">${esc(meta.unit || '—')}</td>
  <th>编制人</th><td data-field="signoff-analyst">${esc(analyst)}</td>
  <th>审核人</th><td data-field="reviewer">${esc(meta.reviewer || '—')}</td>
  <th>日期</th><td data-field="signoff-date">${esc(date)}</td>
</tr></tbody></table>
</body></html>`;
}
