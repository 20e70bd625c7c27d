// Who may do what (角色与权限). Shared by the server, which enforces it, and the client, which only
// hides what the server would refuse anyway. Roles combine: a user holds any set of them.
import { LAYER_BY_ID, LAYERS } from './layers.ts';

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

/** The role that writes each layer: the layer catalogue's `writer` (geo/layers.ts). */
export const LAYER_WRITER: Readonly<Record<string, Role>> = Object.fromEntries(
  LAYERS.flatMap((l) => (l.writer ? [[l.id, l.writer] as const] : [])),
);

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

/**
 * Why `who` may not record a project's legal procedure and quotas, or null when they may: the command
 * posts run the procedure in their areas (the area is checked on the rows, as for parcels), the land
 * bureau files the approval and the quotas district-wide.
 */
export function procedureWriteRefusal(who: Grantee | null | undefined): string | null {
  if (has(who, 'land_bureau')) return null;
  if (!has(who, 'editor')) return `recording the procedure needs the editor (${ROLES.editor.zh}) or land_bureau (${ROLES.land_bureau.zh}) role`;
  if (who!.areaIds.length === 0) return 'this editor account has no command area to work in';
  return null;
}

/** Whether `who` works district-wide: planners, the land bureau and administrators, or an account tied to no command area. */
const districtWide = (who: Grantee): boolean => has(who, 'planner') || has(who, 'land_bureau') || has(who, 'admin') || who.areaIds.length === 0;

/**
 * Why `who` may not read a project's documents (scanned notices, agreements: they name people), or
 * null: a command-post account reads its own areas' projects only; district-wide accounts read all.
 */
export function projectReadRefusal(who: Grantee | null | undefined, projectAreaId: number): string | null {
  if (!mayRead(who)) return 'reading needs an account with a role';
  if (districtWide(who!) || who!.areaIds.includes(projectAreaId)) return null;
  return 'this project lies outside your command areas';
}

/** The command areas whose projects' procedure an editor may write (null: every area). */
export const procedureScope = (who: Grantee): readonly number[] | null => (has(who, 'land_bureau') ? null : who.areaIds);
