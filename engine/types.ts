/**
 * Domain types shared by every part. The TraceResult and import summary shapes are a contract
 * with tools outside the code (DESIGN.md, "Interfaces"): extend, never rename or drop a field.
 * Instants inside the engine are epoch milliseconds (UTC); they leave it as ISO strings.
 */

/** A jurisdiction path: province › district › commune (2021) or province › commune (2025). */
export interface Jurisdiction {
  readonly province: string;
  readonly district?: string;
  readonly commune?: string;
}

export type StationKind = 'checkpoint' | 'market' | 'clinic' | 'hospital' | 'school' | 'supermarket' | 'bus_station' | 'workplace' | 'pharmacy' | 'other';

export interface Station {
  readonly id: string;
  readonly name: string;
  readonly province: string;
  /** Empty string when the unit has no district (the 2025 two-level system). */
  readonly district: string;
  readonly commune: string;
  readonly lat: number;
  readonly lon: number;
  readonly tz: string;
  readonly kind: string;
}

/** A passage as stored: `personId` is the graph's pseudonymous key, instants in epoch ms UTC. */
export interface Passage {
  readonly id: string;
  readonly personId: string;
  readonly stationId: string;
  readonly at: number;
  /** Equals `at` for a point scan. */
  readonly leftAt: number;
  readonly source: string;
}

export type TraceMode = 'time-respecting' | 'naive';

/**
 * A contact's class (DESIGN.md, "Close contacts"): `close` when the two were together (overlap,
 * without the tolerance) at least `closeSeconds`, else `brief`. A listed person is close when any
 * contact that reached them is.
 */
export type ContactClass = 'close' | 'brief';

export interface TraceParams {
  /** The graph's (pseudonymous) person key of the case. */
  readonly f0: string;
  readonly from: number;
  readonly to: number;
  /** No contact after this counts, at any generation. Default: `to`. */
  readonly until?: number;
  /** Default 2; 1…MAX_TRACE_DEPTH. */
  readonly depth?: number;
  /** Default 900 (15 min). */
  readonly toleranceSeconds?: number;
  readonly mode?: TraceMode;
  /** Only close co-locations count, at every generation (default false). */
  readonly closeOnly?: boolean;
  /** The overlap of a close contact; default TRUYVET_CLOSE_SECONDS (900). 1…86,400 whole seconds. */
  readonly closeSeconds?: number;
}

export interface TracePerson {
  id: string;
  generation: number;
  exposureAt: string;
  via: string[];
  score: number;
  /** close: some contact that reached them (in their generation) is close. */
  class: ContactClass;
}

/**
 * How far a passage can be trusted as evidence: `national` for a scan of the national QR code
 * (no signature, checked only against the registry), `standard` for everything else (truyvet's
 * signed code, an imported checkpoint log).
 */
export type EvidenceTrust = 'standard' | 'national';

export interface TraceContact {
  source: string;
  target: string;
  stationId: string;
  at: string;
  overlapSeconds: number;
  generation: number;
  /** [source's passage, target's passage]. */
  passages: [string, string];
  /**
   * The trust of the two passages, in the same order, present only when one of them is
   * `national` (lower-trust evidence, weighing half in the score); absent: both `standard`.
   */
  trust?: [EvidenceTrust, EvidenceTrust];
  /** close: overlapSeconds ≥ params.closeSeconds. */
  class: ContactClass;
}

export interface TraceResult {
  f0: string;
  params: {
    from: string;
    to: string;
    until?: string;
    depth: number;
    toleranceSeconds: number;
    mode: TraceMode;
    closeSeconds: number;
    closeOnly: boolean;
  };
  people: TracePerson[];
  contacts: TraceContact[];
  /** closePeople: the people whose class is close. */
  stats: { people: number; contacts: number; closePeople: number; milliseconds: number };
}

/**
 * A confirmed case (DESIGN.md, "Outbreak semantics"). Instants in epoch ms. Without an explicit
 * bound, the infectious period runs from (onsetAt ?? confirmedAt) − 2 days to confirmedAt.
 */
export interface OutbreakCase {
  readonly caseId: string;
  /** The graph's (pseudonymous) person key of the case person. */
  readonly personId: string;
  readonly confirmedAt: number;
  readonly onsetAt?: number;
  readonly infectiousFrom?: number;
  readonly infectiousTo?: number;
}

export interface OutbreakParams {
  readonly cases: readonly OutbreakCase[];
  /** No contact after this counts, at any generation, nor for a link. Default: the latest infectiousTo. */
  readonly until?: number;
  /** Default 2; 1…MAX_TRACE_DEPTH. Links reach one generation further (depth + 1). */
  readonly depth?: number;
  /** Default 900 (15 min). */
  readonly toleranceSeconds?: number;
  readonly mode?: TraceMode;
  /** Only close co-locations count, at every generation and for links (default false). */
  readonly closeOnly?: boolean;
  /** The overlap of a close contact; default TRUYVET_CLOSE_SECONDS (900). */
  readonly closeSeconds?: number;
}

/** A case whose chain reached a person, and when (exposure_c). */
export interface OutbreakCaseExposure {
  case: string;
  at: string;
}

export interface OutbreakPerson extends TracePerson {
  /** Sorted by `at`, then case id. */
  cases: OutbreakCaseExposure[];
}

/**
 * `from → to`: the person of `to` met `from`'s chain (c may have been infected within c′'s chain),
 * at the smallest generation, and at it the earliest contact time, not after `to`'s confirmation.
 */
export interface OutbreakLink {
  from: string;
  to: string;
  generation: number;
  at: string;
  stationId: string;
  overlapSeconds: number;
  /** [the source's passage, the `to` case person's passage]; the source is `from`'s person at generation 1, `via` after. */
  passages: [string, string];
  /** The listed person of generation − 1 who carried `from`'s chain (generation ≥ 2 only). */
  via?: string;
  /** The class of the link's evidence contact. */
  class: ContactClass;
}

export interface OutbreakCluster {
  id: string;
  /** The case with the earliest infectiousFrom, then the smallest id. */
  index: string;
  /** Sorted. */
  cases: string[];
}

/** A TraceResult of many cases (DESIGN.md, "Interfaces"): `cases` instead of `f0`, plus links and clusters. */
export interface OutbreakResult {
  /** The case ids traced, sorted. */
  cases: string[];
  params: {
    /** The earliest infectiousFrom. */
    from: string;
    /** The latest infectiousTo. */
    to: string;
    until: string;
    depth: number;
    toleranceSeconds: number;
    mode: TraceMode;
    closeSeconds: number;
    closeOnly: boolean;
  };
  people: OutbreakPerson[];
  contacts: TraceContact[];
  links: OutbreakLink[];
  clusters: OutbreakCluster[];
  stats: { people: number; contacts: number; closePeople: number; links: number; clusters: number; milliseconds: number };
}

export interface ImportReject {
  line: number;
  field: string;
  reason: string;
}

export interface ImportSummary {
  file: string;
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  seconds: number;
  rowsPerSecond: number;
  rejects: ImportReject[];
}

export const DEFAULT_TOLERANCE_SECONDS = 900;
/** WHO's and Vietnam's 2021 close contact: 15 minutes together (TRUYVET_CLOSE_SECONDS overrides it). */
export const DEFAULT_CLOSE_SECONDS = 900;
/** A day: a longer bar would call nobody close but people who lived together. */
export const MAX_CLOSE_SECONDS = 86_400;
export const DEFAULT_DEPTH = 2;
export const MAX_TRACE_DEPTH = 6;
