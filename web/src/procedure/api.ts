// The procedure API (server/procedure) as the browser calls it: a project's 征地程序 and 用地指标, and
// the board. The JSON shapes are geo/api.ts's, the rules geo/procedure.ts's.
import type { AttachmentInfo, ProcedureBoard, ProcedureView, QuotaEntry, StepView } from '../../../geo/api.ts';
import type { ProcedureStepId, QuotaKind, QuotaSource, StepRecord } from '../../../geo/procedure.ts';
import { api, apiJson, ensureOk } from '../http.ts';

export type { AttachmentInfo, ProcedureBoard, ProcedureView, QuotaEntry, StepView };

const qs = (o: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();

/** A project's procedure as of a day (the server's today when not given). */
export const fetchProcedure = (projectId: number, asOf?: string) =>
  apiJson<ProcedureView>(`/api/projects/${projectId}/procedure${asOf ? `?${qs({ asOf })}` : ''}`, { headers: { accept: 'application/json' } });

/** What a step's form changes: every field, null to clear it. */
export type StepFields = Omit<StepRecord, 'step'>;

/** Record a step at the version read (0: nothing recorded yet). */
export const recordStep = (projectId: number, step: ProcedureStepId, version: number, fields: StepFields, reason?: string) =>
  apiJson<StepView>(`/api/projects/${projectId}/procedure/${step}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version, ...fields, reason: reason?.trim() || null }),
  });

/** The content types the server takes an attachment as; what it is, the server tells from its bytes. */
const ATTACHMENT_HEADER = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/tiff']);

/** Keep a file (a scanned notice, a document) with a step: its own bytes as the body. */
export const uploadAttachment = (projectId: number, step: ProcedureStepId, file: File) =>
  apiJson<AttachmentInfo>(`/api/projects/${projectId}/procedure/${step}/attachments?${qs({ name: file.name })}`, {
    method: 'POST',
    headers: { 'content-type': ATTACHMENT_HEADER.has(file.type) ? file.type : 'application/octet-stream' },
    body: file,
  });

/** Where an attachment opens (for readers of its project only). */
export const attachmentUrl = (id: number) => `/api/attachments/${id}`;

export async function deleteAttachment(id: number, version: number): Promise<void> {
  await ensureOk(await api(`/api/attachments/${id}?${qs({ version })}`, { method: 'DELETE' }));
}

export interface QuotaFields { kind: QuotaKind; source: QuotaSource; mu: number; docNo: string | null; securedOn: string | null }

export const addQuota = (projectId: number, q: QuotaFields) =>
  apiJson<QuotaEntry>(`/api/projects/${projectId}/quotas`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(q) });

export async function deleteQuota(projectId: number, id: number, version: number): Promise<void> {
  await ensureOk(await api(`/api/projects/${projectId}/quotas/${id}?${qs({ version })}`, { method: 'DELETE' }));
}

/** The procedure board (程序看板) as of a day, for one command area or the district. */
export const fetchBoard = (asOf: string, areaId?: number, signal?: AbortSignal) =>
  apiJson<ProcedureBoard>(`/api/procedure/board?${qs({ asOf, areaId })}`, { signal, headers: { accept: 'application/json' } });
