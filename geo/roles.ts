// Who may do what (角色与权限). Shared by the server, which enforces it, and the client, which only
// hides what the server would refuse anyway. Roles combine: a user holds any set of them.
import { LAYER_BY_ID } from './layers.ts';

export const ROLES = {
  viewer: { zh: '查看', en: 'Viewer', does: { zh: '看地图、数据和报表', en: 'read maps, figures and reports' } },
  planner: { zh: '规划', en: 'Planner', does: { zh: '绘制和修改红线，做压占分析', en: 'draw and edit red lines, run conflict analysis' } },
  editor: { zh: '指挥部录入', en: 'Command-post editor', does: { zh: '本片区宗地、房屋、问题台账的进度录入', en: 'statuses, amounts and dates of parcels, houses and problems in own command areas' } },
  land_bureau: { zh: '自然资源局', en: 'Land bureau', does: { zh: '导入、导出图形数据，维护基础图层', en: 'import and export geometry, maintain reference layers' } },
  admin: { zh: '管理员', en: 'Administrator', does: { zh: '用户、角色和审计', en: 'users, roles and the audit trail' } },
  military: { zh: '军事用地查看', en: 'Military grant', does: { zh: '可看军事用地的名称、单位和备注', en: 'may see military land names, units and notes' } },
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_IDS = Object.keys(ROLES) as Role[];

/** The part of a user the rules look at. */
export interface Grantee {
  roles: readonly Role[];
  /** command areas an editor works in (指挥部片区); empty = none */
  areaIds: readonly number[];
}

/**
 * The role that may write each map layer. Parcels, houses, problems and resettlement sites are the
 * command posts' work and are limited to their areas (the database checks it: migrations/functions/50_scope.sql);
 * red lines are the planners'; everything else is reference data the land bureau maintains.
 */
export const LAYER_WRITER: Readonly<Record<string, Role>> = {
  red_line: 'planner',
  parcel: 'editor',
  house: 'editor',
  problem: 'editor',
  resettlement_site: 'editor',
  reserved_land: 'land_bureau',
  farmland: 'land_bureau',
  cane_base: 'land_bureau',
  military_land: 'land_bureau',
  disputed_land: 'land_bureau',
  command_area: 'land_bureau',
  township: 'land_bureau',
  village: 'land_bureau',
  park: 'land_bureau',
  water: 'land_bureau',
  built_up: 'land_bureau',
  road: 'land_bureau',
  place: 'land_bureau',
};

export const has = (who: Grantee | null | undefined, role: Role): boolean => !!who && who.roles.includes(role);

/** Any role at all lets one read maps, figures and reports. */
export const mayRead = (who: Grantee | null | undefined): boolean => !!who && who.roles.length > 0;

/** Military land's names, units and notes: only with the military grant. */
export const seesSensitiveOf = (who: Grantee | null | undefined): boolean => has(who, 'military');

/** Why `who` may not write `layerId`, or null when they may (the area scope is checked on the rows). */
export function layerWriteRefusal(who: Grantee | null | undefined, layerId: string): string | null {
  const role = LAYER_WRITER[layerId];
  if (!role) return `${layerId} cannot be edited`;
  if (!has(who, role)) return `editing ${layerId} needs the ${role} role (${ROLES[role].zh})`;
  if (role === 'editor' && who!.areaIds.length === 0) return 'this editor account has no command area to work in';
  if ((LAYER_BY_ID.get(layerId)?.sensitive?.length ?? 0) > 0 && !has(who, 'military')) {
    return `editing ${layerId} needs the military grant (${ROLES.military.zh})`;
  }
  return null;
}
