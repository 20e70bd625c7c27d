// Refusals in the user's words (错误提示). The server answers every refusal with a stable code and
// its params (geo/errors.ts); its `message` is English for developers and is never shown. This table
// words every code — and every finding of an import preview — in Chinese and English, naming fields,
// statuses, layers and roles by the labels the client already has (geo/domain.ts, geo/layers.ts,
// geo/roles.ts). `Record<ErrorCode, …>`: a code added to geo/errors.ts without a wording here does
// not compile. Plain module (no runes): tests import it in Node.
import { ATTRIBUTE, COMMAND_AREA, type Label, TAKE_STATUS } from '../../../geo/domain.ts';
import { type ErrorCode, type ErrorParam, type ErrorParams, type ImportIssueCode, isErrorCode } from '../../../geo/errors.ts';
import { LAYER_BY_ID, LAYERS } from '../../../geo/layers.ts';
import { PROCEDURE_FIELD, PROCEDURE_STEP, type ProcedureStepId } from '../../../geo/procedure.ts';
import { ROLES } from '../../../geo/roles.ts';
import { VOCAB } from '../../../geo/vocabulary.ts';

export type Lang = 'zh' | 'en';
type Words = (p: ErrorParams) => string;
export interface Wording { zh: Words; en: Words }

/**
 * The shortest password the server takes (server/accounts/passwords.ts MIN_PASSWORD_LENGTH): the
 * password forms ask for it, and a refusal that does not name it is worded with it.
 */
export const PASSWORD_MIN_LENGTH = 10;

// ---- naming what the params hold ----

const stepName = (s: ErrorParam | undefined, lang: Lang): string =>
  typeof s === 'string' && s in PROCEDURE_STEP ? PROCEDURE_STEP[s as ProcedureStepId][lang] : String(s ?? '');

/** Inputs that are not layer attributes (accounts, the feature body, request headers). */
const FIELD_TITLE: Record<string, Label> = {
  geometry: { zh: '图形', en: 'Geometry' },
  reason: { zh: '修改说明', en: 'Reason' },
  username: { zh: '用户名', en: 'Username' },
  displayName: { zh: '姓名', en: 'Display name' },
  password: { zh: '密码', en: 'Password' },
  newPassword: { zh: '新密码', en: 'New password' },
  currentPassword: { zh: '当前密码', en: 'Current password' },
  roles: { zh: '角色', en: 'Roles' },
  areaIds: { zh: '片区指挥部', en: 'Command areas' },
  disabled: { zh: '停用', en: 'Disabled' },
  crs: { zh: '坐标系', en: 'Coordinate system' },
  encoding: { zh: '编码', en: 'Encoding' },
  format: { zh: '格式', en: 'Format' },
  bbox: { zh: '范围', en: 'Extent' },
  layer: { zh: '图层', en: 'Layer' },
  user: { zh: '用户', en: 'User' },
  featureId: { zh: '要素编号', en: 'Feature ID' },
  from: { zh: '起始日期', en: 'From' },
  to: { zh: '截止日期', en: 'To' },
  ...PROCEDURE_FIELD,
};

const isLabel = (v: unknown): v is Label =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Label).zh === 'string' && typeof (v as Label).en === 'string';

/** A param as plain text: a {zh, en} label in the language, a list joined, anything else as written. */
function text(v: ErrorParam | undefined, lang: Lang): string {
  if (v === undefined || v === null) return '';
  if (isLabel(v)) return v[lang];
  if (Array.isArray(v)) return list(v.map((x) => text(x, lang)), lang);
  if (typeof v === 'object') return '';
  return String(v);
}

const str = (v: ErrorParam | undefined): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
const num = (v: ErrorParam | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

export const list = (items: string[], lang: Lang): string => items.filter(Boolean).join(lang === 'zh' ? '、' : ', ');

/** A field (column or input) by its title; a label param as it is; an unknown name as written. */
export function fieldName(field: ErrorParam | undefined, lang: Lang): string {
  if (isLabel(field)) return field[lang];
  const name = str(field);
  if (!name) return '';
  const label = ATTRIBUTE[name] ?? FIELD_TITLE[name];
  return label ? label[lang] : name;
}

/** A layer by its title (geo/layers.ts), by id or by table. */
export function layerName(id: ErrorParam | undefined, lang: Lang): string {
  if (isLabel(id)) return id[lang];
  const key = str(id);
  if (!key) return '';
  const layer = LAYER_BY_ID.get(key) ?? LAYERS.find((l) => l.table === key);
  return layer ? layer.title[lang] : key;
}

/** A status of the take workflow (未签约 → 已签约 → 已付款 → 已交地, 司法征收). */
export function statusName(s: ErrorParam | undefined, lang: Lang): string {
  const key = str(s);
  if (!key) return '';
  return (TAKE_STATUS as Record<string, Label>)[key]?.[lang] ?? key;
}

/** A command area (片区指挥部) by its code. */
export function areaName(a: ErrorParam | undefined, lang: Lang): string {
  const key = str(a);
  if (!key) return '';
  return (COMMAND_AREA as Record<string, Label>)[key]?.[lang] ?? key;
}

/** A param that is an object of params (a neighbour's {id, code}), else an empty one. */
const record = (v: ErrorParam | undefined): Record<string, ErrorParam | undefined> =>
  (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, ErrorParam | undefined>) : {});

/** m² as the history and the overlap refusal show them: two decimals at most. */
const fmtM2 = (v: ErrorParam | undefined, lang: Lang): string =>
  (num(v) ?? 0).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 2 });

export function roleName(r: ErrorParam | undefined, lang: Lang): string {
  const key = str(r);
  if (!key) return '';
  return (ROLES as Record<string, Label>)[key]?.[lang] ?? key;
}

/** A coded value of a field by its label: the first value list of any layer with that column that holds it. */
export function valueName(field: ErrorParam | undefined, value: ErrorParam | undefined, lang: Lang): string {
  if (isLabel(value)) return value[lang];
  const key = str(value);
  if (key === undefined) return '';
  const column = str(field);
  if (column === 'status' && key in TAKE_STATUS) return statusName(key, lang);
  for (const [name, vocab] of Object.entries(VOCAB)) {
    if (column && name.endsWith(`.${column}`) && Object.hasOwn(vocab, key)) return vocab[key][lang];
  }
  return key;
}

/** “（位置：经度 109.612345，纬度 23.123456）” from a [lon, lat] param. */
export function where(location: ErrorParam | undefined, lang: Lang): string {
  if (!Array.isArray(location) || location.length < 2) return '';
  const [lon, lat] = location.map((v) => num(v as ErrorParam));
  if (lon === undefined || lat === undefined) return '';
  return lang === 'zh' ? `（位置：经度 ${lon.toFixed(6)}，纬度 ${lat.toFixed(6)}）` : ` (at longitude ${lon.toFixed(6)}, latitude ${lat.toFixed(6)})`;
}

/** A place in an uploaded file as the server names it ('line 12', 'feature 3', 'record 7', '#2'), in the language. */
export function refText(ref: ErrorParam | undefined, lang: Lang): string {
  const r = str(ref)?.trim() ?? '';
  if (lang === 'en') return r;
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^line (\d+)$/i, (m) => `第 ${m[1]} 行`],
    [/^row (\d+)$/i, (m) => `第 ${m[1]} 行`],
    [/^feature (\d+)$/i, (m) => `第 ${m[1]} 个要素`],
    [/^record (\d+)$/i, (m) => `第 ${m[1]} 条记录`],
    [/^placemark (\d+)$/i, (m) => `第 ${m[1]} 个地标`],
    [/^part (\d+)$/i, (m) => `第 ${m[1]} 部分`],
    [/^#(\d+)$/, (m) => `第 ${m[1]} 项`],
    [/^sheet (.+) row (\d+)$/i, (m) => `工作表“${m[1]}”第 ${m[2]} 行`],
    [/^(.+) row (\d+)$/i, (m) => `表 ${m[1]} 第 ${m[2]} 行`],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(r);
    if (m) return f(m);
  }
  return r;
}

/** Which import limit a file went over (server/exchange/limits.ts), with the limit's figure. */
function importLimit(p: ErrorParams, lang: Lang): string {
  const max = num(p.max);
  const zh = lang === 'zh';
  switch (str(p.limit)) {
    case 'upload_size': return zh ? `上传文件超过 ${max} MB` : `the upload is over ${max} MB`;
    case 'uncompressed_size': return zh ? `解压后超过 ${max} MB` : `it expands to more than ${max} MB`;
    case 'compression_ratio': return zh ? `压缩比超过 ${max}:1（疑似压缩炸弹）` : `it expands more than ${max}-fold (a zip bomb?)`;
    case 'zip_entries': return zh ? `压缩包内超过 ${max} 个文件` : `the zip holds more than ${max} files`;
    case 'memory': return zh ? `读取需要超过 ${max} MB 内存` : `reading it needs more than ${max} MB of memory`;
    default: return zh ? '文件太大' : 'it is too large';
  }
}

/** PostGIS's reasons for an invalid geometry (ST_IsValidDetail), in the language; unknown ones left out of Chinese. */
const POSTGIS_REASON: [RegExp, Label][] = [
  [/^ring self-intersection/i, { zh: '边界环自相交', en: 'a ring crosses itself' }],
  [/^self-intersection/i, { zh: '边界线自相交', en: 'the outline crosses itself' }],
  [/^too few points/i, { zh: '边界点数太少', en: 'too few points' }],
  [/^hole lies outside shell/i, { zh: '内环（洞）在外边界之外', en: 'a hole lies outside the outer ring' }],
  [/^nested holes/i, { zh: '内环（洞）相互嵌套', en: 'holes are nested' }],
  [/^interior is disconnected/i, { zh: '面的内部被分割成不相连的几块', en: 'the interior is disconnected' }],
  [/^nested shells/i, { zh: '外边界相互嵌套', en: 'outer rings are nested' }],
  [/^duplicate rings/i, { zh: '有重复的边界环', en: 'rings are repeated' }],
  [/^invalid coordinate/i, { zh: '坐标无效', en: 'a coordinate is not valid' }],
  [/^ring is not closed/i, { zh: '边界环未闭合', en: 'a ring is not closed' }],
];

function postgisReason(reason: ErrorParam | undefined, lang: Lang): string {
  const r = str(reason);
  if (!r) return '';
  const hit = POSTGIS_REASON.find(([re]) => re.test(r));
  return hit ? hit[1][lang] : '';
}

const KIND: Record<string, Label> = {
  text: { zh: '文字', en: 'text' },
  int: { zh: '整数', en: 'a whole number' },
  number: { zh: '数字', en: 'a number' },
  boolean: { zh: '“是”或“否”', en: 'yes or no' },
  date: { zh: '日期（年-月-日）', en: 'a date (YYYY-MM-DD)' },
  timestamp: { zh: '日期和时间', en: 'a date and time' },
  other: { zh: '有效的值', en: 'a valid value' },
};

const fieldOr = (p: ErrorParams, lang: Lang, zh: string, en: string): string => fieldName(p.field, lang) || (lang === 'zh' ? zh : en);

/** The refused features of a batch (import_refused / import_stale): each with its place in the file and its reason. */
const SHOWN_REFUSALS = 10;
function refusedList(p: ErrorParams, lang: Lang): string {
  const refused = Array.isArray(p.refused) ? p.refused : [];
  const lines = refused.slice(0, SHOWN_REFUSALS).map((r) => {
    const o = (typeof r === 'object' && r !== null && !Array.isArray(r) && !isLabel(r) ? r : {}) as Record<string, ErrorParam | undefined>;
    const params = (typeof o.params === 'object' && o.params !== null && !Array.isArray(o.params) ? o.params : {}) as ErrorParams;
    const field = o.field ?? params.field;
    const reason = wordCode(str(o.error) ?? '', { ...params, ...(field ? { field } : {}) }, lang);
    return `· ${refText(o.ref, lang)}${lang === 'zh' ? '：' : ': '}${reason}`;
  });
  if (refused.length > SHOWN_REFUSALS) lines.push(lang === 'zh' ? `……另有 ${refused.length - SHOWN_REFUSALS} 个` : `… and ${refused.length - SHOWN_REFUSALS} more`);
  return lines.length ? `\n${lines.join('\n')}` : '';
}

const count = (p: ErrorParams) => num(p.count) ?? (Array.isArray(p.refused) ? p.refused.length : 0);

// ---- every refusal ----

export const ERROR_TEXT: Record<ErrorCode, Wording> = {
  // who is asking
  unauthenticated: { zh: () => '请先登录（登录可能已失效）', en: () => 'Please log in (your session may have ended)' },
  invalid_credentials: { zh: () => '用户名或密码错误', en: () => 'Wrong username or password' },
  forbidden: {
    zh: (p) => {
      if (p.role === 'military') return `修改${layerName(p.layer, 'zh') || '这些数据'}需要“${roleName('military', 'zh')}”授权`;
      if (p.layer) return `您没有修改“${layerName(p.layer, 'zh')}”的权限${p.role ? `（需要“${roleName(p.role, 'zh')}”角色${p.role === 'editor' ? '并分配片区指挥部' : ''}）` : ''}${p.military ? `，且需要“${roleName('military', 'zh')}”授权` : ''}`;
      return '您没有执行此操作的权限';
    },
    en: (p) => {
      if (p.role === 'military') return `Changing ${layerName(p.layer, 'en') || 'this data'} needs the “${roleName('military', 'en')}”`;
      if (p.layer) return `You may not change ${layerName(p.layer, 'en')}${p.role ? ` (it needs the “${roleName(p.role, 'en')}” role${p.role === 'editor' ? ' with a command area' : ''})` : ''}${p.military ? ` and the “${roleName('military', 'en')}”` : ''}`;
      return 'You are not allowed to do this';
    },
  },
  no_role: { zh: () => '此账号尚未分配角色，请联系管理员', en: () => 'This account has no role yet: ask an administrator' },
  csrf: { zh: () => '页面的安全校验已过期，请刷新页面后重试', en: () => 'The page’s security check has expired: reload the page and try again' },
  out_of_scope: {
    zh: (p) => {
      const mine = Array.isArray(p.areas) && p.areas.length ? `（您负责：${list(p.areas.map((a) => areaName(a, 'zh')), 'zh')}）` : '';
      return typeof p.area === 'string'
        ? `此要素属于${areaName(p.area, 'zh')}，不在您负责的片区指挥部范围内${mine}，不能修改`
        : `此要素不在您负责的片区指挥部范围内${mine}，不能修改`;
    },
    en: (p) => {
      const mine = Array.isArray(p.areas) && p.areas.length ? ` (yours: ${list(p.areas.map((a) => areaName(a, 'en')), 'en')})` : '';
      return typeof p.area === 'string'
        ? `This feature belongs to ${areaName(p.area, 'en')}, outside your command areas${mine}: you cannot change it`
        : `This feature lies outside your command areas${mine}: you cannot change it`;
    },
  },
  parcel_overlap: {
    zh: (p) => {
      const n = record(p.neighbour);
      const who = n.code != null ? `宗地“${String(n.code)}”${n.id != null ? `（要素编号 ${String(n.id)}）` : ''}` : '其他宗地';
      const how = num(p.overlapM2) !== undefined ? `重叠 ${fmtM2(p.overlapM2, 'zh')} 平方米` : '重叠';
      const others = (num(p.others) ?? 0) > 0 ? `，另与 ${num(p.others)} 宗地块重叠` : '';
      return `与同一项目红线内的${who}${how}${others}：同一项目的宗地不能相互重叠（允许 ${num(p.toleranceM2) ?? 1} 平方米以内）`;
    },
    en: (p) => {
      const n = record(p.neighbour);
      const who = n.code != null ? `parcel “${String(n.code)}”${n.id != null ? ` (feature ID ${String(n.id)})` : ''}` : 'another parcel';
      const how = num(p.overlapM2) !== undefined ? ` by ${fmtM2(p.overlapM2, 'en')} m²` : '';
      const others = (num(p.others) ?? 0) > 0 ? `, and ${num(p.others)} more parcel(s)` : '';
      return `Overlaps ${who} of the same project${how}${others}: parcels of one project may not overlap (up to ${num(p.toleranceM2) ?? 1} m² allowed)`;
    },
  },
  too_many_attempts: {
    zh: (p) => `尝试次数过多，请 ${Math.max(1, Math.ceil((num(p.retryAfterSeconds) ?? 60) / 60))} 分钟后再试`,
    en: (p) => `Too many attempts: try again in ${Math.max(1, Math.ceil((num(p.retryAfterSeconds) ?? 60) / 60))} min`,
  },
  too_many_requests: {
    zh: (p) => `您同时进行的耗时操作（标注、压占分析、导出、导入、报表）已达 ${num(p.limit) ?? ''} 个，请等其中一个完成后再试`,
    en: (p) => `You already have ${num(p.limit) ?? 'too many'} expensive requests (labels, analyses, exports, imports, reports) under way: wait for one to finish`,
  },
  // what was asked for
  not_found: {
    zh: (p) => {
      if (p.import !== undefined) return `导入批次 #${text(p.import, 'zh')} 不存在或已过期，请重新上传文件`;
      if (p.layer && p.version !== undefined) return `${layerName(p.layer, 'zh')} #${text(p.id, 'zh')} 没有版本 ${text(p.version, 'zh')}`;
      if (p.layer && p.id !== undefined) return `${layerName(p.layer, 'zh')} #${text(p.id, 'zh')} 不存在（可能已被删除）`;
      if (p.layer) return `没有图层“${layerName(p.layer, 'zh')}”`;
      if (p.project) return `找不到项目 ${text(p.project, 'zh')}`;
      return '找不到所请求的内容（可能已被删除）';
    },
    en: (p) => {
      if (p.import !== undefined) return `Import #${text(p.import, 'en')} does not exist or has expired: upload the file again`;
      if (p.layer && p.version !== undefined) return `${layerName(p.layer, 'en')} #${text(p.id, 'en')} has no version ${text(p.version, 'en')}`;
      if (p.layer && p.id !== undefined) return `${layerName(p.layer, 'en')} #${text(p.id, 'en')} does not exist (it may have been deleted)`;
      if (p.layer) return `There is no layer “${layerName(p.layer, 'en')}”`;
      if (p.project) return `Project ${text(p.project, 'en')} was not found`;
      return 'What was asked for was not found (it may have been deleted)';
    },
  },
  route_not_found: {
    zh: (p) => `服务器没有这项功能${p.path ? `（${text(p.method, 'zh')} ${text(p.path, 'zh')}）` : ''}，请刷新页面；如仍出现请联系管理员`,
    en: (p) => `The server has no such function${p.path ? ` (${text(p.method, 'en')} ${text(p.path, 'en')})` : ''}: reload the page, and tell an administrator if it happens again`,
  },
  read_only: {
    zh: (p) => `${p.layer ? `“${layerName(p.layer, 'zh')}”` : '该图层'}是只读图层，不能修改`,
    en: (p) => `${layerName(p.layer, 'en') || 'This layer'} is read-only`,
  },
  // what was sent
  invalid_input: {
    zh: (p) => (p.field || p.parameter || p.header ? `“${fieldName(p.field ?? p.parameter ?? p.header, 'zh')}”的值不正确，请检查后重试` : '提交的内容不正确，请检查后重试'),
    en: (p) => (p.field || p.parameter || p.header ? `The value of “${fieldName(p.field ?? p.parameter ?? p.header, 'en')}” is not valid: check it and try again` : 'What was sent is not valid: check it and try again'),
  },
  invalid_filter: {
    zh: (p) => `筛选条件不正确${typeof p.position === 'number' ? `（第 ${p.position} 个字符处）` : ''}，请检查后重试`,
    en: (p) => `The filter is not valid${typeof p.position === 'number' ? ` (at character ${p.position})` : ''}: check it and try again`,
  },
  invalid_json: { zh: () => '提交的数据格式不正确，无法读取', en: () => 'What was sent could not be read (not valid JSON)' },
  not_geojson: { zh: () => '图形数据不是有效的 GeoJSON 要素', en: () => 'The geometry is not a valid GeoJSON feature' },
  bad_coordinates: {
    zh: (p) => `坐标格式不正确${Array.isArray(p.position) ? `：${JSON.stringify(p.position)}` : ''}（每个点应为两个数字：经度、纬度）`,
    en: (p) => `A coordinate is not valid${Array.isArray(p.position) ? `: ${JSON.stringify(p.position)}` : ''} (each point must be two numbers: longitude, latitude)`,
  },
  bad_crs: { zh: () => '坐标系不正确或不受支持', en: () => 'The coordinate system is wrong or not supported' },
  empty_geometry: {
    zh: (p) => `图形为空：请在地图上画出${p.layer ? layerName(p.layer, 'zh') : ''}范围`,
    en: (p) => `The geometry is empty: draw the ${p.layer ? `${layerName(p.layer, 'en').toLowerCase()} ` : ''}outline on the map`,
  },
  too_complex: { zh: () => '提交的数据层级过深，无法处理', en: () => 'What was sent is nested too deeply to be read' },
  payload_too_large: { zh: () => '文件或数据太大，请分批提交', en: () => 'The file or data is too large: send it in parts' },
  too_many_vertices: {
    zh: () => '图形的节点太多，请简化后再保存',
    en: () => 'The geometry has too many points: simplify it and save again',
  },
  too_many_boundary_points: {
    zh: (p) => `红线界址点太多${num(p.points) !== undefined ? `（${num(p.points)} 个）` : ''}，PDF 最多列出 ${num(p.max) ?? 5000} 个：请下载 Excel 报批材料`,
    en: (p) => `The red line has too many boundary points${num(p.points) !== undefined ? ` (${num(p.points)})` : ''} for the PDF, which lists at most ${num(p.max) ?? 5000}: download the Excel package`,
  },
  unsupported_media_type: { zh: () => '提交的数据类型不受支持', en: () => 'The type of what was sent is not supported' },
  invalid_geometry: {
    zh: (p) => `图形无效${postgisReason(p.reason, 'zh') ? `：${postgisReason(p.reason, 'zh')}` : ''}${where(p.location, 'zh')}，请修改后再保存`,
    en: (p) => `The geometry is not valid${postgisReason(p.reason, 'en') ? `: ${postgisReason(p.reason, 'en')}` : ''}${where(p.location, 'en')}; correct it and save again`,
  },
  self_intersection: {
    zh: (p) => `图形自相交（边界线交叉）${where(p.location, 'zh')}，请调整节点后再保存`,
    en: (p) => `The outline crosses itself${where(p.location, 'en')}: move the points and save again`,
  },
  wrong_geometry_type: {
    zh: () => '图形类型与图层不符（此图层只接受面）',
    en: () => 'The geometry type does not fit the layer (it takes polygons only)',
  },
  too_few_points: {
    zh: () => '边界点太少：一个面至少需要 3 个不同的点',
    en: () => 'Too few points: a polygon needs at least 3 different points',
  },
  unclosed_ring: { zh: () => '边界未闭合：最后一个点应与第一个点相同', en: () => 'The outline is not closed: the last point must repeat the first' },
  latlon_swapped: {
    zh: () => '经纬度顺序颠倒：请按“经度、纬度”的顺序提供坐标',
    en: () => 'Latitude and longitude are swapped: give coordinates as longitude, latitude',
  },
  metres_as_degrees: {
    zh: () => '坐标像是平面坐标（米），却按经纬度（度）提交：请选择正确的坐标系',
    en: () => 'The coordinates look like metres (projected) but were sent as degrees: choose the right coordinate system',
  },
  degrees_as_metres: {
    zh: () => '坐标像是经纬度（度），却按平面坐标（米）提交：请选择正确的坐标系',
    en: () => 'The coordinates look like degrees but were sent as metres: choose the right coordinate system',
  },
  wrong_zone: {
    zh: () => '高斯-克吕格投影带号与坐标不符：请选择正确的分带（3° 带 36 或 37 带）',
    en: () => 'The Gauss–Krüger zone does not match the coordinates: choose the right zone (3° zone 36 or 37)',
  },
  outside_district: {
    zh: (p) => `图形超出本区范围${where(p.location, 'zh')}：请检查坐标系和坐标`,
    en: (p) => `The geometry lies outside the district${where(p.location, 'en')}: check the coordinate system and the coordinates`,
  },
  wrong_type: {
    zh: (p) => `${fieldOr(p, 'zh', '此项', '')}应填写${KIND[str(p.expected) ?? 'other']?.zh ?? KIND.other.zh}`,
    en: (p) => `${fieldOr(p, 'en', '', 'This value')} must be ${KIND[str(p.expected) ?? 'other']?.en ?? KIND.other.en}`,
  },
  wrong_value: {
    zh: (p) => {
      const f = fieldOr(p, 'zh', '此项', '');
      if (Array.isArray(p.allowed) && p.allowed.length) return `${f}的值无效，可选：${list(p.allowed.map((a) => valueName(p.field, a, 'zh')), 'zh')}`;
      if (p.max !== undefined) return `${f}超出允许范围（上限 ${text(p.max, 'zh')}）`;
      return `${f}的值无效`;
    },
    en: (p) => {
      const f = fieldOr(p, 'en', '', 'The value');
      if (Array.isArray(p.allowed) && p.allowed.length) return `${f} must be one of: ${list(p.allowed.map((a) => valueName(p.field, a, 'en')), 'en')}`;
      if (p.max !== undefined) return `${f} is out of range (at most ${text(p.max, 'en')})`;
      return `${f} is not a valid value`;
    },
  },
  missing_attribute: {
    zh: (p) => `${fieldOr(p, 'zh', '此项', '')}为必填项`,
    en: (p) => `${fieldOr(p, 'en', '', 'This value')} is required`,
  },
  unknown_attribute: {
    zh: (p) => `${p.layer ? `“${layerName(p.layer, 'zh')}”` : '该图层'}没有${p.field ? `“${fieldName(p.field, 'zh')}”这一` : '所提交的'}属性`,
    en: (p) => `${p.layer ? layerName(p.layer, 'en') : 'This layer'} has no ${p.field ? `attribute “${fieldName(p.field, 'en')}”` : 'such attribute'}`,
  },
  unknown_reference: {
    zh: (p) => `${fieldOr(p, 'zh', '所引用的对象', '')}${p.field ? '所指的对象' : ''}不存在，请检查编号`,
    en: (p) => `${p.field ? `The ${fieldName(p.field, 'en').toLowerCase()} referred to` : 'What is referred to'} does not exist: check the number`,
  },
  constraint: {
    zh: (p) => `${fieldOr(p, 'zh', '填写的值', '')}不符合数据规则，请检查`,
    en: (p) => `${fieldOr(p, 'en', '', 'A value')} breaks a data rule: check it`,
  },
  status_transition: {
    zh: (p) => {
      const allowed = Array.isArray(p.allowed) ? p.allowed.map((s) => `“${statusName(s, 'zh')}”`) : [];
      if (p.to === undefined || p.to === null) return `状态的更改不符合征收流程（${list(Object.values(TAKE_STATUS).slice(0, 4).map((l) => l.zh), 'zh').replaceAll('、', ' → ')}）`;
      if (p.from === null || p.from === undefined) return `新建的要素状态应为“${statusName('unsigned', 'zh')}”，不能直接设为“${statusName(p.to, 'zh')}”`;
      if (!allowed.length) return `“${statusName(p.from, 'zh')}”是最终状态，不能再改为“${statusName(p.to, 'zh')}”`;
      return `状态不能从“${statusName(p.from, 'zh')}”直接改为“${statusName(p.to, 'zh')}”：下一步只能是${list(allowed, 'zh')}`;
    },
    en: (p) => {
      const allowed = Array.isArray(p.allowed) ? p.allowed.map((s) => `“${statusName(s, 'en')}”`) : [];
      if (p.to === undefined || p.to === null) return `The status change does not follow the workflow (${Object.values(TAKE_STATUS).slice(0, 4).map((l) => l.en).join(' → ')})`;
      if (p.from === null || p.from === undefined) return `A new feature starts as “${statusName('unsigned', 'en')}”, not “${statusName(p.to, 'en')}”`;
      if (!allowed.length) return `“${statusName(p.from, 'en')}” is final: it cannot change to “${statusName(p.to, 'en')}”`;
      return `The status cannot go from “${statusName(p.from, 'en')}” straight to “${statusName(p.to, 'en')}”: next can only be ${list(allowed, 'en')}`;
    },
  },
  procedure_order: {
    zh: (p) => (!p.step || !p.before ? '征地程序须按法定顺序逐步进行，不能跳过或提前' : `征地程序须按法定顺序进行：“${stepName(p.step, 'zh')}”${p.reason === 'starts_before_earlier_ends' ? `的开始日期不能早于“${stepName(p.before, 'zh')}”的完成日期` : `须在“${stepName(p.before, 'zh')}”完成之后`}`),
    en: (p) => (!p.step || !p.before ? 'The procedure goes step by step in the law\'s order: no step can be skipped or taken early' : `The procedure goes in the law's order: "${stepName(p.step, 'en')}" ${p.reason === 'starts_before_earlier_ends' ? `cannot start before "${stepName(p.before, 'en')}" ended` : `comes after "${stepName(p.before, 'en')}" is done`}`),
  },
  procedure_not_ready: {
    zh: (p) => (p.opensOn ? `征地补偿安置方案公告满 30 日（${text(p.opensOn, 'zh')} 起）后方可签约` : '征地补偿安置方案尚未公告，不能签约')
      + '；确需提前签约的，请在“例外签约说明”中写明原因',
    en: (p) => (p.opensOn ? `Agreements can be signed once the compensation plan notice has run 30 days (from ${text(p.opensOn, 'en')})` : 'The compensation plan has not been posted yet: nothing can be signed')
      + '; to sign earlier, record the reason as a procedure exception',
  },
  procedure_owned: {
    zh: (p) => `“${fieldName(p.field, 'zh') || '该属性'}”由征地程序的“${stepName(p.step ?? 'application', 'zh')}”步骤记录（批复文号、批复日期随之填写），不能在此修改`,
    en: (p) => `"${fieldName(p.field, 'en') || 'This attribute'}" is recorded by the procedure's "${stepName(p.step ?? 'application', 'en')}" step (with the approval's document number and date), not edited here`,
  },
  attachment_type: {
    zh: () => '附件只能是 PDF、JPEG、PNG 或 TIFF 文件',
    en: () => 'An attachment must be a PDF, JPEG, PNG or TIFF file',
  },
  no_red_line: {
    zh: (p) => `${p.project ? `项目 ${text(p.project, 'zh')} ` : '该项目'}尚未出征地红线图`,
    en: (p) => `${p.project ? `Project ${text(p.project, 'en')}` : 'The project'} has no red line yet`,
  },
  weak_password: {
    zh: (p) => `密码太短：至少需要 ${num(p.min) ?? PASSWORD_MIN_LENGTH} 个字符`,
    en: (p) => `The password is too short: it needs at least ${num(p.min) ?? PASSWORD_MIN_LENGTH} characters`,
  },
  wrong_password: { zh: () => '当前密码不正确', en: () => 'The current password is wrong' },
  // the state of things
  duplicate: {
    zh: (p) => `${fieldOr(p, 'zh', '此记录', '')}已存在，不能重复${p.value !== undefined ? `（${text(p.value, 'zh')}）` : ''}`,
    en: (p) => `${fieldOr(p, 'en', '', 'This record')} already exists${p.value !== undefined ? ` (${text(p.value, 'en')})` : ''}: it must be unique`,
  },
  referenced: {
    zh: (p) => `还有${p.referencedBy ? `“${layerName(p.referencedBy, 'zh')}”` : '其他数据'}引用此要素，不能删除`,
    en: (p) => `${p.referencedBy ? layerName(p.referencedBy, 'en') : 'Other data'} still refer${p.referencedBy ? '' : 's'} to this feature: it cannot be deleted`,
  },
  username_taken: { zh: () => '该用户名已被使用，请换一个', en: () => 'This username is taken: choose another' },
  own_admin: {
    zh: () => '不能取消自己的管理员角色或停用自己的账号，请由其他管理员操作',
    en: () => 'You cannot remove your own admin role or disable yourself: ask another administrator',
  },
  stale_version: {
    zh: (p) => `保存前，此要素已被他人修改${p.currentVersion != null ? `（现为版本 ${text(p.currentVersion, 'zh')}${p.yourVersion != null ? `，您编辑的是版本 ${text(p.yourVersion, 'zh')}` : ''}）` : ''}。请重新打开要素，再做修改`,
    en: (p) => `Someone changed this feature before you saved${p.currentVersion != null ? ` (it is now at version ${text(p.currentVersion, 'en')}${p.yourVersion != null ? `; you edited version ${text(p.yourVersion, 'en')}` : ''})` : ''}. Open it again and redo your change`,
  },
  precondition_required: {
    zh: (p) => `缺少所编辑的版本号${p.currentVersion !== undefined ? `（当前为版本 ${text(p.currentVersion, 'zh')}）` : ''}，请重新打开要素后再保存`,
    en: (p) => `The version you edited is missing${p.currentVersion !== undefined ? ` (it is now at version ${text(p.currentVersion, 'en')})` : ''}: open the feature again and save`,
  },
  // exchange
  file_unreadable: {
    zh: (p) => `无法读取文件${p.file ? ` ${text(p.file, 'zh')}` : ''}${p.where ? `（${refText(p.where, 'zh')}）` : ''}：文件可能已损坏，或内容与格式不符`,
    en: (p) => `The file${p.file ? ` ${text(p.file, 'en')}` : ''} cannot be read${p.where ? ` (${refText(p.where, 'en')})` : ''}: it may be damaged, or not what its format says`,
  },
  unknown_format: {
    zh: (p) => `不支持的文件格式${p.file ? `：${text(p.file, 'zh')}` : ''}。可导入 GeoJSON、Shapefile（zip）、GeoPackage、KML、DXF、CSV（WKT）、部标 TXT、Excel 台账`,
    en: (p) => `Not a format this system imports${p.file ? `: ${text(p.file, 'en')}` : ''}. It takes GeoJSON, Shapefile (zip), GeoPackage, KML, DXF, CSV (WKT), ministry TXT and the Excel ledger`,
  },
  no_crs: {
    zh: () => '无法从文件判断坐标系，请在“导入坐标系”中选择后重新上传',
    en: () => 'The coordinate system cannot be told from the file: choose it under the import CRS and upload again',
  },
  import_has_errors: {
    zh: (p) => `检查报告中有${p.count != null ? ` ${text(p.count, 'zh')} 个` : ''}错误，未写入任何数据：请修正文件后重新导入`,
    en: (p) => `The validation report has ${p.count != null ? `${text(p.count, 'en')} error(s)` : 'errors'}, nothing was written: fix the file and import it again`,
  },
  import_committed: {
    zh: (p) => `此导入${p.import != null ? `（#${text(p.import, 'zh')}）` : ''}已经提交过${p.committedBy ? `（提交人：${text(p.committedBy, 'zh')}）` : ''}，不能重复提交`,
    en: (p) => `This import${p.import !== undefined ? ` #${text(p.import, 'en')}` : ''} was already committed${p.committedBy ? ` (by ${text(p.committedBy, 'en')})` : ''}`,
  },
  import_refused: {
    zh: (p) => (count(p)
      ? `${p.total != null ? `${text(p.total, 'zh')} 个要素中` : ''}有 ${count(p)} 个未通过检查，未写入任何数据：${refusedList(p, 'zh')}`
      : '有要素未通过检查，未写入任何数据'),
    en: (p) => (count(p)
      ? `${count(p)}${p.total != null ? ` of ${text(p.total, 'en')}` : ''} feature(s) were refused, nothing was written:${refusedList(p, 'en')}`
      : 'Features were refused, nothing was written'),
  },
  import_stale: {
    zh: (p) => `导入检查之后，有要素已被他人修改，未写入任何数据：请重新上传文件再导入${refusedList(p, 'zh')}`,
    en: (p) => `Features were changed by someone else after the import was checked, nothing was written: upload the file again${refusedList(p, 'en')}`,
  },
  import_limit: {
    zh: (p) => `文件${p.file ? ` ${text(p.file, 'zh')}` : ''}${p.where ? `（${refText(p.where, 'zh')}）` : ''}超出导入限制：${importLimit(p, 'zh')}，请拆分后分批导入`,
    en: (p) => `The file${p.file ? ` ${text(p.file, 'en')}` : ''}${p.where ? ` (${refText(p.where, 'en')})` : ''} is over an import limit: ${importLimit(p, 'en')}. Split it and import the parts`,
  },
  export_too_large: {
    zh: () => '导出的数据量太大：请缩小范围（按项目、片区指挥部或地图范围）分批导出，或改用 GeoPackage',
    en: () => 'The export is too large: export less at a time (by project, command area or map extent), or as GeoPackage',
  },
  basemap_unavailable: {
    zh: () => '底图服务暂不可用（瓦片服务器无应答或返回的不是图片），请稍后重试或切换底图',
    en: () => 'The basemap service is unavailable (its tile server did not answer or sent no image): try again later or pick another basemap',
  },
  pdf_unavailable: {
    zh: () => '服务器无法生成 PDF（未安装或无法启动 Chromium），请联系管理员',
    en: () => 'The server cannot make PDFs (Chromium is missing or does not start): tell an administrator',
  },
  print_busy: {
    zh: () => '服务器正在打印其他地图，请稍后重试',
    en: () => 'The server is printing other maps: try again in a moment',
  },
  print_failed: {
    zh: (p) => (p.reason === 'timeout' ? '地图打印超时（地图数据未能及时加载完成），请缩小范围或稍后重试' : '地图打印失败（打印页未能加载地图数据），请稍后重试'),
    en: (p) => (p.reason === 'timeout' ? 'The map print timed out (the map data did not finish loading): print a smaller area or try again later' : 'The map print failed (the print page could not load the map data): try again later'),
  },
  // the server itself
  internal_error: { zh: () => '服务器内部错误，请稍后再试；如仍出现请联系管理员', en: () => 'Internal server error: try again later, and tell an administrator if it happens again' },
  database_unavailable: {
    zh: (p) => `数据库暂时无法连接，请${num(p.retryAfterSeconds) ? ` ${num(p.retryAfterSeconds)} 秒` : '稍'}后重试`,
    en: (p) => `The database cannot be reached just now: try again${num(p.retryAfterSeconds) ? ` in ${num(p.retryAfterSeconds)} s` : ' in a moment'}`,
  },
  database_busy: {
    zh: () => '服务器正忙，请稍后重试',
    en: () => 'The server is busy: try again in a moment',
  },
  query_timeout: {
    zh: () => '查询耗时过长已被中止：请缩小范围（按项目、片区或地图范围）后重试',
    en: () => 'The query took too long and was stopped: narrow it (by project, command area or map extent) and try again',
  },
  commit_unknown: {
    zh: () => '保存时数据库连接中断，暂无法确认是否已保存：请刷新查看该要素后再决定是否重新保存',
    en: () => 'The database connection broke while saving, so it is not yet known whether the change was stored: reload the feature before saving again',
  },
};

/**
 * Codes some server routes still send from before the contract (accounts, conflicts, tiles): worded
 * as the contract code they mean. A password refused as a bad request is a password too short.
 */
const LEGACY: Record<string, (p: ErrorParams) => ErrorCode> = {
  bad_request: (p) => (p.field === 'password' || p.field === 'newPassword' ? 'weak_password' : 'invalid_input'),
  unknown_project: () => 'not_found',
  too_large: () => 'payload_too_large',
};

/** A code the table does not know: said to be a refusal, with its code (never the server's English). */
export const unknownCode = (code: string, lang: Lang): string =>
  lang === 'zh' ? `操作未完成（错误代码：${code || '未知'}）` : `The operation did not complete (error code: ${code || 'unknown'})`;

/**
 * English with straight quotes: the interface's fonts draw “ ” from the Chinese font, full width,
 * which reads as stray spaces around English words.
 */
const typeset = (s: string, lang: Lang): string => (lang === 'en' ? s.replace(/[“”]/g, '"') : s);

/** One refusal in words, from its code and params (`field` folded into the params). */
export function wordCode(code: string, params: ErrorParams, lang: Lang): string {
  const known: ErrorCode | undefined = isErrorCode(code) ? code : LEGACY[code]?.(params);
  if (!known) return unknownCode(code, lang);
  return typeset(ERROR_TEXT[known][lang](params), lang);
}

// ---- the findings of an import preview ----

/** What an import finding is worded from: the layer and the feature's values (the findings carry no params). */
export interface IssueContext extends ErrorParams {
  layer?: string;
  code?: string;
  status?: string;
  location?: ErrorParam;
}

export const ISSUE_TEXT: Record<ImportIssueCode, Wording> = {
  self_intersection: { zh: (p) => `图形自相交${where(p.location, 'zh')}`, en: (p) => `The outline crosses itself${where(p.location, 'en')}` },
  invalid_geometry: { zh: (p) => `图形无效${where(p.location, 'zh')}`, en: (p) => `The geometry is not valid${where(p.location, 'en')}` },
  outside_district: { zh: () => '超出本区范围：请检查坐标系', en: () => 'Outside the district: check the coordinate system' },
  missing_field: {
    zh: (p) => (p.code ? '新增要素缺少必填字段：请对应文件字段或填写默认值' : '缺少编号：请把文件中的编号字段对应到“编号”'),
    en: (p) => (p.code ? 'A new feature lacks required fields: map a file field or give a default' : 'No code: map a file field to “Code”'),
  },
  duplicate_code: {
    zh: (p) => `编号${p.code ? ` ${text(p.code, 'zh')}` : ''}在文件中重复出现`,
    en: (p) => `Code${p.code ? ` ${text(p.code, 'en')}` : ''} appears more than once in the file`,
  },
  bad_value: {
    zh: (p) => `状态${p.status ? `“${text(p.status, 'zh')}”` : ''}无效，可选：${list(Object.values(TAKE_STATUS).map((s) => s.zh), 'zh')}`,
    en: (p) => `Status${p.status ? ` “${text(p.status, 'en')}”` : ''} is not valid; it must be one of: ${list(Object.values(TAKE_STATUS).map((s) => s.en), 'en')}`,
  },
  geometry_type: {
    zh: (p) => `图形类型不符：不能导入${p.layer ? `“${layerName(p.layer, 'zh')}”` : '此'}图层`,
    en: (p) => `Wrong geometry type for ${p.layer ? layerName(p.layer, 'en') : 'this layer'}`,
  },
  no_geometry: { zh: () => '没有图形', en: () => 'No geometry' },
  unknown_code: {
    zh: (p) => `${p.layer ? `“${layerName(p.layer, 'zh')}”中` : ''}没有编号为 ${text(p.code, 'zh') || '（空）'} 的要素`,
    en: (p) => `${p.layer ? layerName(p.layer, 'en') : 'The layer'} has no feature with code ${text(p.code, 'en') || '(empty)'}`,
  },
  unclosed_ring: { zh: () => '边界未闭合（读取时已自动闭合）', en: () => 'A ring is not closed (closed on reading)' },
  duplicate_points: { zh: (p) => `有连续重复的点（提交时自动去除）${where(p.location, 'zh')}`, en: (p) => `Repeated points (removed on commit)${where(p.location, 'en')}` },
  spike: { zh: (p) => `边界有尖刺（极小的锐角）${where(p.location, 'zh')}`, en: (p) => `A spike in the outline (a very sharp angle)${where(p.location, 'en')}` },
  area_mismatch: {
    zh: () => '文件中的面积与按图形计算的面积相差超过 0.1%',
    en: () => 'The area in the file and the area computed from the geometry differ by more than 0.1%',
  },
  not_allowed: { zh: () => '您无权写入此要素', en: () => 'You may not write this feature' },
  stale: { zh: () => '检查之后此要素已被他人修改：请重新上传文件', en: () => 'Changed by someone else since the check: upload the file again' },
};

export const isImportIssueCode = (code: string): code is ImportIssueCode => Object.hasOwn(ISSUE_TEXT, code);

/** One finding of an import preview in words; an unknown code as its code. */
export function issueText(issue: { code: string; location?: [number, number] }, context: IssueContext, lang: Lang): string {
  const p: ErrorParams = { ...context, ...(issue.location ? { location: issue.location } : {}) };
  if (isImportIssueCode(issue.code)) return typeset(ISSUE_TEXT[issue.code][lang](p), lang);
  if (isErrorCode(issue.code)) return typeset(ERROR_TEXT[issue.code][lang](p), lang);
  return lang === 'zh' ? `检查发现问题（代码：${issue.code}）` : `Finding (code: ${issue.code})`;
}
