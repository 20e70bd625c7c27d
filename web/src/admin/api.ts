// What the admin page reads and writes: /api/admin/users, /api/audit, /api/audit/accounts (server/accounts).
import type { AccountEvent, DataChange, User } from '../../../geo/api.ts';
import type { Role } from '../../../geo/roles.ts';
import { api, ensureOk } from '../http.ts';

export type { AccountEvent, DataChange, User };

export interface Page<T> {
  items: T[];
  more: boolean;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(path, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  // a refusal is thrown as an ApiError (http.ts): its code, params and the field it names
  return (await (await ensureOk(res)).json()) as T;
}

const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });

export const listUsers = async () => (await call<{ users: User[] }>('/api/admin/users')).users;
export const createUser = (u: { username: string; displayName: string; password: string; roles: Role[]; areaIds: number[] }) =>
  call<User>('/api/admin/users', json('POST', u));
export const updateUser = (id: number, change: Partial<Pick<User, 'displayName' | 'roles' | 'areaIds' | 'disabled'>>) =>
  call<User>(`/api/admin/users/${id}`, json('PATCH', change));
export const resetPassword = (id: number, password: string) => call<User>(`/api/admin/users/${id}/password`, json('POST', { password }));

export interface AuditFilter {
  user?: string;
  layer?: string;
  featureId?: string;
  from?: string;
  to?: string;
}

const qs = (o: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();

export const dataChanges = (f: AuditFilter, offset: number, limit = 50) =>
  call<Page<DataChange>>(`/api/audit?${qs({ ...f, offset, limit })}`);
export const accountEvents = (f: Pick<AuditFilter, 'user' | 'from' | 'to'>, offset: number, limit = 50) =>
  call<Page<AccountEvent>>(`/api/audit/accounts?${qs({ user: f.user, from: f.from, to: f.to, offset, limit })}`);

export interface CommandArea {
  id: number;
  code: string;
  name: string;
}

export async function commandAreas(): Promise<CommandArea[]> {
  const fc = await call<GeoJSON.FeatureCollection>('/api/layers/command_area/features');
  return fc.features.map((f) => ({ id: Number(f.id ?? f.properties?.id), code: String(f.properties?.code ?? ''), name: String(f.properties?.name ?? '') }));
}
