import type { z } from 'zod';
import type {
  CaseList as CaseListSchema,
  Cluster as ClusterSchema,
  ClusterList as ClusterListSchema,
  DailyStatsOut as DailyStatsSchema,
  FollowUpList as FollowUpListSchema,
  FollowUpStatusOut as FollowUpStatusOutSchema,
  Hotspots as HotspotsSchema,
  OutbreakRun as OutbreakRunSchema,
  Problem as ProblemSchema,
  StationList as StationListSchema,
  Timeline as TimelineSchema,
  TokenResponse as TokenResponseSchema,
  TraceList as TraceListSchema,
  TracePage as TracePageSchema,
  TraceProgressOut as TraceProgressSchema,
} from '../../api/schemas';

/**
 * The API's response shapes, taken from its zod schemas as types only (CONVENTIONS.md: the view
 * imports response types, never engine or server code; esbuild erases these imports).
 */

export type TokenResponse = z.output<typeof TokenResponseSchema>;
export type TracePage = z.output<typeof TracePageSchema>;
export type TracePerson = TracePage['people'][number];
export type TraceContact = TracePage['contacts'][number];
export type TraceList = z.output<typeof TraceListSchema>;
export type TraceMeta = TraceList['traces'][number];
export type Identity = TracePage['identities'][string];
/** Where a person outside the tracer's jurisdiction lives (no identity). */
export type Home = TracePage['outside'][string];
export type Timeline = z.output<typeof TimelineSchema>;
export type TimelinePassage = Timeline['passages'][number];
export type Station = z.output<typeof StationListSchema>['stations'][number];
export type HotspotList = z.output<typeof HotspotsSchema>;
export type Hotspot = HotspotList['hotspots'][number];
export type Problem = z.output<typeof ProblemSchema>;
export type TraceProgress = z.output<typeof TraceProgressSchema>;

/** One row of the sensitivity panel: people per generation ("1" … depth) at one tolerance. */
export type SensitivityRow = NonNullable<TracePage['sensitivity']>[number];

/** A whole trace result in the view: every page merged, with the identities the pages named. */
export interface LoadedTrace {
  readonly id: string;
  readonly f0: string;
  readonly params: TracePage['params'];
  readonly people: readonly TracePerson[];
  readonly contacts: readonly TraceContact[];
  readonly identities: Readonly<Record<string, Identity>>;
  /** The homes of the people outside the tracer's jurisdiction (absent in older test data: none). */
  readonly outside?: Readonly<Record<string, Home>>;
  readonly stats: TracePage['stats'];
  readonly requestRef: string;
  readonly purpose: string;
  readonly createdAt: string;
  /** The server's result cap cut people (stats still count all found). */
  readonly truncated: boolean;
  readonly peopleFound: number;
  /** People the server holds for this trace; more than `people.length` when loading stopped early. */
  readonly totalPeople: number;
  readonly sensitivity?: readonly SensitivityRow[];
}

// The epidemic-wave pages (wave-page.ts, followups-page.ts).
export type CaseList = z.output<typeof CaseListSchema>;
export type CaseItem = CaseList['cases'][number];
export type OutbreakRun = z.output<typeof OutbreakRunSchema>;
export type OutbreakLink = NonNullable<OutbreakRun['links']>[number];
export type Cluster = z.output<typeof ClusterSchema>;
export type ClusterList = z.output<typeof ClusterListSchema>;
export type DailyStats = z.output<typeof DailyStatsSchema>;
export type FollowUpList = z.output<typeof FollowUpListSchema>;
export type FollowUp = FollowUpList['followUps'][number];
export type FollowUpStatusChanged = z.output<typeof FollowUpStatusOutSchema>;
