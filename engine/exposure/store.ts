import { randomBytes } from 'node:crypto';
import { createExposureRecord, readExposureRecord, type ExposureRecordMeta } from '../db/exposures';
import { notFound } from '../errors';
import { seal, unseal } from '../identity';
import { fullIdentities, traceAccess, type FullIdentity, type Home, type Viewer } from '../privacy/visibility';
import type { Jurisdiction } from '../types';
import type { ExposedPerson, ExposureResult } from './venue';

/**
 * Stored venue exposures, kept like traces: `(:ExposureRecord)` with its people sealed
 * (TRUYVET_DATA_KEY), read back a page at a time by the tracer who asked for it; admins and
 * auditors see the metadata only (privacy/visibility.ts, traceAccess). Requests that wait for an
 * approver: approval.ts.
 */

export type { ExposureRecordMeta };
export { listExposureRecords } from '../db/exposures';

export const EXPOSURE_ID_RE = /^ex[0-9a-f]{24}$/;

export function newExposureId(): string {
  return `ex${randomBytes(12).toString('hex')}`;
}

export interface NewExposure {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  readonly createdAt: number;
}

export interface ExposurePage {
  readonly meta: ExposureRecordMeta;
  readonly people: ExposedPerson[];
  readonly page: { readonly number: number; readonly size: number; readonly totalPeople: number; readonly totalPages: number };
  /** In full for the page's people living inside the reader's jurisdiction, only the home of the others. */
  readonly identities: Record<string, FullIdentity>;
  readonly outside: Record<string, Home>;
}

async function pageOf(meta: ExposureRecordMeta, people: readonly ExposedPerson[], number: number, size: number, scope: Jurisdiction | undefined): Promise<ExposurePage> {
  const slice = people.slice((number - 1) * size, number * size);
  const { identities, outside } = await fullIdentities(
    slice.map((p) => p.id),
    scope,
  );
  return { meta, people: slice, page: { number, size, totalPeople: people.length, totalPages: Math.ceil(people.length / size) }, identities, outside };
}

/** What a read adds to a record's metadata. */
export function readMeta(r: ExposureResult) {
  return { stationId: r.params.stationId, params: { ...r.params }, stats: { ...r.stats }, peopleFound: r.people.length, truncated: r.truncated };
}

/** Stores what an exposure found and answers its first page. */
export async function storeExposure(e: NewExposure, r: ExposureResult, o: { pageSize: number; scope: Jurisdiction | undefined }): Promise<ExposurePage> {
  const meta = { ...e, ...readMeta(r) };
  await createExposureRecord(meta, seal(JSON.stringify(r.people)));
  return pageOf({ ...meta, hasResult: true, status: 'ready' }, r.people, 1, o.pageSize, o.scope);
}

export type ExposurePageRead =
  | { readonly kind: 'page'; readonly page: ExposurePage }
  | { readonly kind: 'metadata'; readonly meta: ExposureRecordMeta }
  | { readonly kind: 'denied'; readonly meta: ExposureRecordMeta };

/** Page `number` (from 1) of a stored exposure as `reader` may see it; undefined when there is none. */
export async function readExposurePage(id: string, number: number, size: number, reader: Viewer & { readonly jurisdiction?: Jurisdiction | undefined }): Promise<ExposurePageRead | undefined> {
  const head = await readExposureRecord(id, false);
  if (!head) return undefined;
  const access = traceAccess(reader, head.meta.owner);
  if (access === 'none') return { kind: 'denied', meta: head.meta };
  // A request waiting for approval, or rejected, has no people to read: its status is the answer.
  if (access === 'metadata' || head.meta.status !== 'ready') return { kind: 'metadata', meta: head.meta };
  const rec = await readExposureRecord(id, true);
  if (!rec?.sealed) throw notFound(`the result of exposure '${id}' was removed`);
  const people = JSON.parse(unseal(rec.sealed)) as ExposedPerson[];
  return { kind: 'page', page: await pageOf(rec.meta, people, number, size, reader.jurisdiction) };
}
