import { z } from 'zod';
import { AUDIT_ACTIONS } from '../engine/audit/chain';
import { ROLES, UNIT_CODE_RE } from '../engine/accounts/roles';
import { instant } from '../engine/input';
import { isValidTimeZone, MAX_FUTURE_MS } from '../engine/time';
import { DEFAULT_TRACE_LIMITS, Tolerance, toTraceRequest, traceRequestFields, traceRequestRules, type TraceInputContext, type TraceLimits } from '../engine/trace/request';
import { MAX_TRACE_DEPTH } from '../engine/types';
import { TRACE_ID_RE, TRACE_STATUSES } from '../engine/trace-store';
import { EXPOSURE_ID_RE } from '../engine/exposure';
import { DECLARATION_STATUSES } from '../engine/declarations/registry-check';
import { unifiedDeclarationSchema } from '../engine/declarations/form';
import { ALERT_FLAGS, SCAN_FLAGS, SCAN_REASONS } from '../engine/scan/decide';
import { ISOLATION_CLASSES } from '../engine/scan/isolation';
import { CASE_STATUSES, MAX_CASES_PER_REQUEST, caseBatchSchema } from '../engine/cases/input';
import { outbreakRequestFields, outbreakRequestRules, toOutbreakRequest } from '../engine/outbreak/request';
import { OUTBREAK_GRAPH_STATES, OUTBREAK_PHASES, OUTBREAK_RUN_ID_RE, OUTBREAK_STATUSES } from '../engine/outbreak-store';
import { CLUSTER_ID_RE } from '../engine/clusters';
import { FOLLOW_UP_STATUSES, followUpStatusFilter } from '../engine/followups';

/**
 * Every request and response of the API as a zod schema; the OpenAPI document is generated from
 * these (api/openapi.ts). Request objects are strict: an unknown field is a 400. Responses are
 * parsed through their schema before they leave, which drops any field a schema does not name,
 * so a stray property (a hash, a sealed value) cannot leak by accident.
 */

// ---- building blocks --------------------------------------------------------------------------

/**
 * What a request is parsed against besides itself, while the app parses it (parsingAt): the
 * server's clock (tests freeze it), so "more than a day after now" means the server's now, and
 * its trace limits (settings). Outside a request: the wall clock and the defaults.
 */
export interface ParseContext {
  readonly now: number;
  readonly traceLimits?: TraceLimits;
}

let parsing: ParseContext | undefined;

/**
 * Runs a synchronous parse in `context`. Synchronous, so no other request's parse can run in
 * between.
 */
export function parsingAt<T>(context: ParseContext, parse: () => T): T {
  const before = parsing;
  parsing = context;
  try {
    return parse();
  } finally {
    parsing = before;
  }
}

/** The request context as the engine's parsers read it (engine/input.ts, engine/trace/request.ts). */
const inputContext: TraceInputContext = {
  now: () => parsing?.now ?? Date.now(),
  limits: () => parsing?.traceLimits ?? DEFAULT_TRACE_LIMITS,
};

/**
 * An ISO 8601 instant; without an offset it is read in Asia/Ho_Chi_Minh (DESIGN.md), a bare date
 * is its midnight. Parsed to epoch ms. Outside [2000-01-01T00:00Z, now + 1 day] it is refused
 * (engine/time.ts says why). The command line reads its instants with the same parser.
 */
export const Instant = instant(inputContext.now);

/** An instant that may be planned ahead (an isolation's end): from 2000-01-01T00:00Z to a year after now. */
export const PlannedInstant = instant(inputContext.now, 366 * MAX_FUTURE_MS).meta({
  description: 'ISO 8601 date-time; without an offset it is read in Asia/Ho_Chi_Minh, a bare date is its midnight there; from 2000-01-01T00:00Z to a year after now',
  example: '2021-08-16T07:30:00+07:00',
});

export const IsoOut = z.string().meta({ description: 'ISO 8601 instant in UTC', example: '2021-08-02T00:30:00.000Z' });

const code = z.string().regex(UNIT_CODE_RE, 'an administrative code (digits)');

export const Jurisdiction = z
  .strictObject({ province: code, district: code.optional(), commune: code.optional() })
  .meta({ id: 'Jurisdiction', description: 'province › district › commune (2021) or province › commune (2025); any prefix' });

export const RoleSchema = z.enum(ROLES).meta({ id: 'Role' });

/** Ids of stations: opaque text from the source files, stored literally. */
const StationId = z
  .string()
  .min(1)
  .max(64)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');

export const PersonPid = z.string().regex(/^p[0-9a-f]{24}$/, 'a pseudonymous person id (p + 24 hex digits)');
export const TraceId = z.string().regex(TRACE_ID_RE, 'a trace id');
export const Username = z.string().min(1).max(140);

const intQuery = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A yes/no query parameter: `true` or `false` as written (z.coerce.boolean would read "false" as true). */
const boolQuery = z.enum(['true', 'false'], { error: 'not true or false' }).transform((v) => v === 'true');

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          code: z.string().optional().meta({ description: "the field issue's code (declarations)" }),
          message_vi: z.string().optional().meta({ description: 'the message in Vietnamese (declarations)' }),
          message_en: z.string().optional(),
        }),
      )
      .optional(),
    declarationId: z.string().optional().meta({ description: 'a registry-rejected declaration, kept for review under this id' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

// ---- health -----------------------------------------------------------------------------------

export const Health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.enum(['up', 'down']) }).meta({ id: 'Health' });

export const ServerStatus = z
  .object({
    pid: z.number().int().describe('the server process that answered (with --workers N, one of N)'),
    uptimeSeconds: z.number().int(),
    memory: z.object({ rssMB: z.number().int(), heapUsedMB: z.number().int() }),
    traces: z
      .object({
        running: z.number().int(),
        waiting: z.number().int(),
        refused: z.number().int().describe('answered 503 busy (queue full or waited too long) since the process started'),
        concurrency: z.number().int(),
        queue: z.number().int(),
        maxWaitSeconds: z.number(),
      })
      .describe("this process's traces running, waiting and refused; the limits TRUYVET_TRACE_CONCURRENCY and _QUEUE (for all workers together with --workers N) and _MAX_WAIT_MS"),
    workers: z
      .array(
        z.object({
          index: z.number().int().describe('the worker\'s place, 1 to N'),
          pid: z.number().int(),
          answered: z.boolean().describe('false: the worker did not answer within a second; only its place and pid are known'),
          uptimeSeconds: z.number().int().optional(),
          memory: z.object({ rssMB: z.number().int(), heapUsedMB: z.number().int() }).optional(),
          traces: z.object({ running: z.number().int(), waiting: z.number().int(), refused: z.number().int() }).optional(),
        }),
      )
      .optional()
      .describe('with --workers N: every worker, by place (absent in a lone process, or when the primary did not answer)'),
  })
  .meta({ id: 'ServerStatus' });

// ---- auth and accounts ------------------------------------------------------------------------

export const TokenRequest = z.strictObject({ username: Username, password: z.string().min(1).max(256) }).meta({ id: 'TokenRequest' });

export const RefreshRequest = z
  .strictObject({ refreshToken: z.string().min(16).max(200).meta({ description: 'the refreshToken of the login, or of the last refresh' }) })
  .meta({ id: 'RefreshRequest' });

export const TokenResponse = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().meta({ description: 'seconds' }),
    refreshToken: z.string().meta({
      description:
        'opaque; trade it at POST /api/auth/refresh for a new pair before the session ends. Each works once: a spent one presented again ends the whole session (every token of that login)',
    }),
    username: z.string(),
    role: RoleSchema,
    jurisdiction: Jurisdiction.optional(),
  })
  .meta({ id: 'TokenResponse' });

export const Me = z
  .object({ username: z.string(), role: RoleSchema, jurisdiction: Jurisdiction.optional(), via: z.enum(['password', 'oidc']) })
  .meta({ id: 'Me' });

export const AccountOut = z
  .object({
    username: z.string(),
    role: RoleSchema,
    jurisdiction: Jurisdiction.optional(),
    disabled: z.boolean(),
    locked: z.boolean(),
    createdAt: IsoOut,
    updatedAt: IsoOut,
  })
  .meta({ id: 'Account' });

export const AccountList = z.object({ accounts: z.array(AccountOut) }).meta({ id: 'AccountList' });

export const AccountCreate = z
  .strictObject({ username: z.string().min(3).max(64), password: z.string().min(1).max(256), role: RoleSchema, jurisdiction: Jurisdiction.optional() })
  .meta({ id: 'AccountCreate' });

export const AccountUpdate = z
  .strictObject({
    role: RoleSchema.optional(),
    jurisdiction: Jurisdiction.nullable().optional().meta({ description: 'null: the whole country' }),
    disabled: z.boolean().optional(),
    password: z.string().min(1).max(256).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })
  .meta({ id: 'AccountUpdate' });

export const UsernameParams = z.strictObject({ username: Username });

// ---- stations ---------------------------------------------------------------------------------

export const STATION_KINDS = ['checkpoint', 'market', 'clinic', 'hospital', 'school', 'supermarket', 'bus_station', 'workplace', 'pharmacy', 'other'] as const;

export const StationOut = z
  .object({
    id: z.string(),
    name: z.string(),
    province: z.string(),
    district: z.string(),
    commune: z.string(),
    lat: z.number(),
    lon: z.number(),
    tz: z.string(),
    kind: z.string(),
  })
  .meta({ id: 'Station' });

export const StationCreate = z
  .strictObject({
    id: StationId,
    name: z.string().min(1).max(200),
    province: code,
    district: z.union([code, z.literal('')]).default('').meta({ description: 'empty in the 2025 two-level system' }),
    commune: code,
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    tz: z.string().refine(isValidTimeZone, 'an IANA time zone').default('Asia/Ho_Chi_Minh'),
    kind: z.enum(STATION_KINDS).default('checkpoint'),
  })
  .meta({ id: 'StationCreate' });

export const StationListQuery = z
  .strictObject({
    province: code.optional(),
    district: code.optional(),
    commune: code.optional(),
    skip: intQuery(0, 1_000_000).default(0),
    limit: intQuery(1, 5000).default(1000),
  })
  .refine((q) => q.province !== undefined || (q.district === undefined && q.commune === undefined), {
    message: 'district and commune filters need a province',
    path: ['province'],
  });

export const StationList = z.object({ stations: z.array(StationOut), skip: z.number().int(), limit: z.number().int() }).meta({ id: 'StationList' });

export const StationParams = z.strictObject({ id: StationId });

const PeriodQuery = {
  from: Instant,
  to: Instant,
};

export const StationPassagesQuery = z
  .strictObject({ ...PeriodQuery, skip: intQuery(0, 1_000_000).default(0), limit: intQuery(1, 1000).default(200) })
  .refine((q) => q.from <= q.to, { message: 'from is after to', path: ['from'] })
  .refine((q) => q.to - q.from <= 31 * 86_400_000, { message: 'at most 31 days at a time', path: ['to'] });

export const MaskedIdentity = z
  .object({
    rawKey: z.string().meta({ description: 'masked: the last three characters' }),
    registered: z.boolean(),
    name: z.string().optional().meta({ description: 'initials only' }),
    birthYear: z.string().optional(),
    phone: z.string().optional().meta({ description: 'masked: the last three digits' }),
  })
  .meta({ id: 'MaskedIdentity' });

export const PassageOut = z
  .object({ id: z.string(), personId: z.string(), stationId: z.string(), at: IsoOut, leftAt: IsoOut, source: z.string() })
  .meta({ id: 'Passage' });

export const StationPassages = z
  .object({
    station: StationOut,
    from: IsoOut,
    to: IsoOut,
    passages: z.array(PassageOut),
    people: z.record(z.string(), MaskedIdentity),
    skip: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'StationPassages' });

// ---- traces -----------------------------------------------------------------------------------

export { Tolerance };

// Letters (with Vietnamese ones), digits and the punctuation of official numbers (`123/SYT-NVY`).
export const TRACE_REQUEST_REF_RE = /^[A-Za-z0-9\u00C0-\u1EF9][A-Za-z0-9\u00C0-\u1EF9 ./_:#-]{2,79}$/;

/**
 * A tracer's request to open a trace. The trace's own fields are read by the engine's parser of a
 * trace request (engine/trace/request.ts), shared with `truyvet trace`: a request either edge
 * refuses, the other refuses too, for the same reason, and before the trace waits for its turn.
 * The handler gets the typed request as `trace`.
 */
const fields = traceRequestFields(inputContext);

/** A running trace's progress handle, made by the client (api/trace-progress.ts). */
export const ProgressId = z.uuid('a UUID');

export const ProgressParams = z.strictObject({ progressId: ProgressId });

export const TraceProgressOut = z
  .object({
    progressId: z.string(),
    phase: z.enum(['queued', 'tracing', 'storing']).meta({ description: 'queued: waits for its turn; tracing: the engine runs; storing: found, being stored (too late to cancel)' }),
    generation: z.number().int().meta({ description: 'the generation being searched (1 while queued), or the last one searched' }),
    people: z.number().int().meta({ description: 'people found so far in this pass' }),
    contacts: z.number().int(),
    pass: z.number().int().meta({ description: '1: the trace itself; 2…: the sensitivity panel’s other tolerances, a full trace each' }),
    passes: z.number().int(),
    toleranceSeconds: z.number().int(),
    elapsedMs: z.number().int().meta({ description: 'since the server received the trace request' }),
  })
  .meta({ id: 'TraceProgress' });

export const TraceCancelOut = z.object({ progressId: z.string(), cancelled: z.literal(true) }).meta({ id: 'TraceCancelled' });

export const TraceCreate = z
  .strictObject({
    f0: z.string().min(1).max(64).meta({ description: "the case's person key as in the source files (a national id); pseudonymised at once" }),
    from: fields.from,
    to: fields.to,
    until: fields.until,
    depth: fields.depth,
    tolerance: fields.tolerance,
    mode: fields.mode,
    closeOnly: fields.closeOnly,
    requestRef: z.string().regex(TRACE_REQUEST_REF_RE, "the health authority's request number (3–80 letters, digits, . / _ : # -)"),
    purpose: z.string().trim().min(3).max(500),
    pageSize: z.number().int().min(1).max(1000).optional(),
    sensitivity: fields.sensitivity,
    progressId: ProgressId.optional().meta({
      description: 'a UUID the client makes for this trace: while it waits, runs and is stored, GET /api/traces/progress/{progressId} tells how far it is, and POST …/cancel stops it',
    }),
  })
  .superRefine(traceRequestRules(inputContext))
  .transform(({ f0, requestRef, purpose, pageSize, progressId, ...fields }) => ({
    f0,
    requestRef,
    purpose,
    ...(pageSize !== undefined ? { pageSize } : {}),
    ...(progressId !== undefined ? { progressId } : {}),
    trace: toTraceRequest(fields),
  }))
  .meta({ id: 'TraceCreate' });

export const ContactClassOut = z
  .enum(['close', 'brief'])
  .meta({ id: 'ContactClass', description: 'close: together at least params.closeSeconds (overlap without the tolerance); brief: less (e.g. two scans at one checkpoint within the tolerance)' });

export const TracePerson = z
  .object({
    id: z.string(),
    generation: z.number().int(),
    exposureAt: IsoOut,
    via: z.array(z.string()),
    score: z.number(),
    class: ContactClassOut.meta({ description: 'close when any contact that reached them (in their generation) is close' }),
  })
  .meta({ id: 'TracePerson' });

export const TraceContact = z
  .object({
    source: z.string(),
    target: z.string(),
    stationId: z.string(),
    at: IsoOut,
    overlapSeconds: z.number(),
    generation: z.number().int(),
    passages: z.tuple([z.string(), z.string()]),
    trust: z
      .tuple([z.enum(['standard', 'national']), z.enum(['standard', 'national'])])
      .optional()
      .meta({ description: "the two passages' trust, in their order, only when one is national (lower-trust evidence, half weight in the score); absent: both standard" }),
    class: ContactClassOut,
  })
  .meta({ id: 'TraceContact' });

export const TraceParamsOut = z
  .object({
    from: IsoOut,
    to: IsoOut,
    until: IsoOut.optional(),
    depth: z.number().int(),
    toleranceSeconds: z.number().int(),
    mode: z.enum(['time-respecting', 'naive']),
    closeSeconds: z.number().int().meta({ description: 'the overlap from which a contact is close (TRUYVET_CLOSE_SECONDS, default 900)' }),
    closeOnly: z.boolean().meta({ description: 'true: only close co-locations counted, at every generation' }),
  })
  .meta({ id: 'TraceParams' });

export const TraceStats = z.object({
  people: z.number().int(),
  contacts: z.number().int(),
  closePeople: z.number().int().optional().meta({ description: 'people whose class is close (absent in the metadata of traces stored before close contacts)' }),
  milliseconds: z.number(),
});

export const FullIdentity = z
  .object({
    rawKey: z.string(),
    registered: z.boolean(),
    fullName: z.string().optional(),
    birthDate: z.string().optional(),
    sex: z.string().optional(),
    phone: z.string().optional(),
    home: z
      .object({
        province: z.string(),
        provinceName: z.string().optional(),
        district: z.string().optional(),
        districtName: z.string().optional(),
        commune: z.string().optional(),
        communeName: z.string().optional(),
      })
      .optional()
      .meta({ description: 'the registry home, codes with their names (the commune that follows the person up)' }),
  })
  .meta({ id: 'Identity' });

export const Home = z
  .object({
    registered: z.boolean().meta({ description: 'false: not in the population registry, so no known home' }),
    province: z.string().optional(),
    provinceName: z.string().optional(),
    district: z.string().optional().meta({ description: 'absent for a home in the 2025 two-level system' }),
    districtName: z.string().optional(),
  })
  .meta({ id: 'Home', description: 'where a person outside your jurisdiction lives: the authority to hand them to' });

export const TraceStatus = z.enum(TRACE_STATUSES).meta({
  id: 'TraceStatus',
  description: 'ready: traced; pending: waits for an approver (TRUYVET_TRACE_APPROVAL=required), nothing traced yet; rejected: an approver refused it',
});

export const TraceDecisionOut = z
  .object({ by: z.string(), at: IsoOut, note: z.string().optional() })
  .meta({ id: 'TraceDecision', description: 'who approved or rejected the request, when, and their note' });

export const PageInfo = z
  .object({ number: z.number().int(), size: z.number().int(), totalPeople: z.number().int(), totalPages: z.number().int() })
  .meta({ id: 'Page' });

export const TracePage = z
  .object({
    id: z.string(),
    f0: z.string(),
    params: TraceParamsOut,
    people: z.array(TracePerson),
    contacts: z.array(TraceContact),
    stats: TraceStats,
    requestRef: z.string(),
    purpose: z.string(),
    createdAt: IsoOut,
    owner: z.string(),
    page: PageInfo,
    truncated: z.boolean().meta({ description: 'true when the result cap cut people (stats still count all found)' }),
    peopleFound: z.number().int(),
    identities: z
      .record(z.string(), FullIdentity)
      .meta({ description: 'F0 and the people of this page whose home lies inside your jurisdiction (everyone, for a national tracer), by pseudonymous id' }),
    outside: z
      .record(z.string(), Home)
      .meta({ description: 'F0 and the people of this page who live outside your jurisdiction (or have no registry home): no identity, only their home' }),
    status: TraceStatus,
    decision: TraceDecisionOut.optional(),
    sensitivity: z
      .array(
        z.object({
          toleranceSeconds: z.number().int(),
          counts: z.record(z.string(), z.number().int()),
          closeCounts: z.record(z.string(), z.number().int()).optional().meta({ description: 'of them, the close people per generation (absent in traces stored before close contacts)' }),
        }),
      )
      .optional()
      .meta({ description: 'people per generation at each tolerance asked for, the trace\'s own first' }),
  })
  .meta({ id: 'TracePage', description: 'The TraceResult of DESIGN.md (one page of people, with the contacts that reached them), extended' });

export const TraceMeta = z
  .object({
    id: z.string(),
    owner: z.string(),
    requestRef: z.string(),
    purpose: z.string(),
    createdAt: IsoOut,
    f0: z.string().optional().meta({ description: "the case's pseudonymous id: only for the tracer who opened the trace" }),
    params: TraceParamsOut,
    stats: TraceStats,
    peopleFound: z.number().int(),
    truncated: z.boolean(),
    hasResult: z.boolean(),
    status: TraceStatus,
    decision: TraceDecisionOut.optional(),
  })
  .meta({ id: 'TraceMeta', description: "a stored trace without its people: what admins and auditors see, and its tracer while it waits for approval" });

export const TraceParamsPath = z.strictObject({ id: TraceId });

export const TracePageQuery = z.strictObject({ page: intQuery(1, 1_000_000).default(1), pageSize: intQuery(1, 1000).optional() });

export const TraceGet = z.union([TracePage, TraceMeta]);

export const TraceListQuery = z.strictObject({ skip: intQuery(0, 1_000_000).default(0), limit: intQuery(1, 500).default(50) });

export const TraceList = z.object({ traces: z.array(TraceMeta) }).meta({ id: 'TraceList' });

// ---- venue exposures (issue 22.6) -------------------------------------------------------------

export const ExposureCreate = z
  .strictObject({
    stationId: StationId,
    from: fields.from,
    to: fields.to,
    requestRef: z.string().regex(TRACE_REQUEST_REF_RE, "the health authority's request number (3–80 letters, digits, . / _ : # -)"),
    purpose: z.string().trim().min(3).max(500),
    pageSize: z.number().int().min(1).max(1000).optional(),
    followUp: z.boolean().default(false).meta({ description: "open follow-ups for the exposure's close visitors in the communes they live in (issue 22 point 6)" }),
  })
  .superRefine(traceRequestRules(inputContext))
  .meta({ id: 'ExposureCreate' });

export const ExposedPersonOut = z
  .object({
    id: z.string(),
    exposureAt: IsoOut.meta({ description: 'first instant at the station inside the window' }),
    lastAt: IsoOut.meta({ description: 'last instant at the station inside the window' }),
    passages: z.number().int(),
    staySeconds: z.number().meta({ description: 'longest single stay inside the window (0 for checkpoint scans)' }),
    class: ContactClassOut,
  })
  .meta({ id: 'ExposedPerson' });

const ExposureParamsOut = z
  .object({ stationId: z.string(), from: IsoOut, to: IsoOut, closeSeconds: z.number().int() })
  .meta({ id: 'ExposureParams' });

const ExposureStats = z.object({ people: z.number().int(), closePeople: z.number().int(), milliseconds: z.number() }).meta({ id: 'ExposureStats' });

const exposureMetaFields = {
  id: z.string(),
  owner: z.string(),
  requestRef: z.string(),
  purpose: z.string(),
  createdAt: IsoOut,
  stationId: z.string(),
  params: ExposureParamsOut,
  stats: ExposureStats,
  peopleFound: z.number().int(),
  truncated: z.boolean().meta({ description: 'true when more people than TRUYVET_TRACE_MAX_PEOPLE were there: the first by arrival are kept' }),
  status: TraceStatus,
  decision: TraceDecisionOut.optional(),
};

export const ExposureMeta = z
  .object({ ...exposureMetaFields, hasResult: z.boolean() })
  .meta({ id: 'ExposureMeta', description: 'a stored venue exposure without its people: what admins and auditors see, and its tracer while it waits for approval' });

export const ExposurePage = z
  .object({
    ...exposureMetaFields,
    people: z.array(ExposedPersonOut),
    page: PageInfo,
    identities: z.record(z.string(), FullIdentity).meta({ description: 'the people of this page whose home lies inside your jurisdiction, by pseudonymous id' }),
    outside: z.record(z.string(), Home).meta({ description: 'the people of this page who live outside your jurisdiction (or have no registry home): only their home' }),
    followUps: z
      .object({ created: z.number().int(), updated: z.number().int() })
      .optional()
      .meta({ description: 'with followUp: true, the follow-ups opened (created) or joined (updated) for close visitors' }),
  })
  .meta({ id: 'ExposurePage', description: 'everyone at a station in a window, a page at a time, in order of arrival' });

export const ExposureGet = z.union([ExposurePage, ExposureMeta]);

export const ExposureParamsPath = z.strictObject({ id: z.string().regex(EXPOSURE_ID_RE, 'an exposure id') });

export const ExposureListQuery = z.strictObject({ skip: intQuery(0, 1_000_000).default(0), limit: intQuery(1, 500).default(50) });

export const ExposureList = z
  .object({ exposures: z.array(ExposureMeta), skip: z.number().int(), limit: z.number().int() })
  .meta({ id: 'ExposureList', description: "stored venue exposures' metadata, newest first: never the people" });

export const PendingExposure = z
  .object({
    id: z.string(),
    requester: z.string(),
    requestRef: z.string(),
    purpose: z.string(),
    createdAt: IsoOut,
    stationId: z.string(),
    params: ExposureParamsOut,
    followUp: z.boolean().meta({ description: "once approved, follow-ups are opened for the exposure's close visitors" }),
    status: TraceStatus,
  })
  .meta({ id: 'PendingExposure', description: 'a venue exposure request waiting for approval: who asks, on which request, for what, which station and window; never the people' });

export const ExposureApprovalList = z.object({ requests: z.array(PendingExposure) }).meta({ id: 'ExposureApprovalList' });

// ---- approvals (TRUYVET_TRACE_APPROVAL=required) ---------------------------------------------

export const ApprovalListQuery = z.strictObject({ skip: intQuery(0, 1_000_000).default(0), limit: intQuery(1, 500).default(50) });

export const PendingTrace = z
  .object({
    id: z.string(),
    requester: z.string(),
    requestRef: z.string(),
    purpose: z.string(),
    createdAt: IsoOut,
    params: TraceParamsOut,
    status: TraceStatus,
  })
  .meta({ id: 'PendingTrace', description: 'a trace request waiting for approval: who asks, on which request, for what, over which period and depth; never whom' });

export const ApprovalList = z.object({ requests: z.array(PendingTrace) }).meta({ id: 'ApprovalList' });

export const ApprovalBody = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    note: z.string().trim().min(1).max(500).optional().meta({ description: 'why (e.g. the signed decision number); required to reject' }),
  })
  .refine((b) => b.decision === 'approve' || b.note !== undefined, { message: 'a rejection needs a note saying why', path: ['note'] })
  .meta({ id: 'ApprovalBody' });

export const ApprovalOut = z
  .object({ id: z.string(), requestRef: z.string(), status: TraceStatus, decision: TraceDecisionOut })
  .meta({ id: 'Approval', description: 'the decision; an approved request is traced for its tracer, who alone reads the result' });

// ---- people -----------------------------------------------------------------------------------

export const PersonParams = z.strictObject({ id: PersonPid });

export const TimelineQuery = z
  .strictObject({
    trace: TraceId.meta({ description: 'the trace, opened by the caller, that names this person' }),
    from: Instant.optional(),
    to: Instant.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from is after to', path: ['from'] });

export const EvidenceTrustOut = z
  .enum(['standard', 'national'])
  .meta({ id: 'EvidenceTrust', description: 'national: a scan of the national QR code (unsigned, checked only against the registry), lower-trust evidence; standard: anything else' });

export const TimelinePassage = z
  .object({ id: z.string(), stationId: z.string(), stationName: z.string(), at: IsoOut, leftAt: IsoOut, source: z.string(), trust: EvidenceTrustOut })
  .meta({ id: 'TimelinePassage' });

export const Timeline = z
  .object({
    person: z.string(),
    trace: z.string(),
    from: IsoOut,
    to: IsoOut,
    identity: FullIdentity.optional().meta({ description: 'only when the person lives inside your jurisdiction' }),
    home: Home.optional().meta({ description: 'instead of the identity, for a person living outside your jurisdiction' }),
    passages: z.array(TimelinePassage),
  })
  .meta({ id: 'Timeline' });

// ---- hotspots ---------------------------------------------------------------------------------

export const HotspotsQuery = z
  .strictObject({
    trace: TraceId.meta({ description: 'rank the cells of the people of this trace (opened by the caller)' }),
    generations: intQuery(0, MAX_TRACE_DEPTH).optional().meta({ description: 'include people up to this generation (0 = F0 only); default all' }),
    limit: intQuery(1, 500).default(50),
    closeOnly: boolQuery.optional().meta({ description: 'true: count only stays that can be part of a close contact (at least the trace\'s closeSeconds); default: the trace\'s closeOnly' }),
  });

export const Hotspot = z
  .object({
    stationId: z.string(),
    stationName: z.string(),
    windowStart: IsoOut,
    windowEnd: IsoOut,
    cases: z.number().int().meta({ description: 'distinct people of the trace with a passage in the cell' }),
    passages: z.number().int(),
    people: z.array(z.string()).meta({ description: 'their pseudonymous ids' }),
  })
  .meta({ id: 'Hotspot' });

export const Hotspots = z
  .object({ trace: z.string(), windowSeconds: z.number().int(), closeOnly: z.boolean(), from: IsoOut, to: IsoOut, cases: z.number().int(), hotspots: z.array(Hotspot) })
  .meta({ id: 'Hotspots' });

// ---- imports ----------------------------------------------------------------------------------

export const ImportJob = z
  .object({
    id: z.string(),
    kind: z.literal('passages'),
    state: z.enum(['receiving', 'queued', 'running', 'done', 'failed']),
    owner: z.string(),
    bytes: z.number().int(),
    startedAt: IsoOut,
    finishedAt: IsoOut.optional(),
    progress: z.object({ read: z.number().int(), imported: z.number().int(), duplicates: z.number().int(), rejected: z.number().int() }),
    summary: z
      .object({
        file: z.string(),
        read: z.number().int(),
        imported: z.number().int(),
        duplicates: z.number().int(),
        rejected: z.number().int(),
        seconds: z.number(),
        rowsPerSecond: z.number(),
        rejects: z.array(z.object({ line: z.number().int(), field: z.string(), reason: z.string() })),
        resumedAtLine: z
          .number()
          .int()
          .nullable()
          .optional()
          .describe('The line where the import went on after a stop or a crash of the server cut it off; null when it ran in one go'),
      })
      .optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'ImportJob' });

export const ImportParams = z.strictObject({ id: z.string().regex(/^im[0-9a-f]{24}$/, 'an import job id') });

export const ImportQuery = z.strictObject({ name: z.string().max(200).optional().meta({ description: 'a label for the upload (the file name)' }) });

// ---- audit ------------------------------------------------------------------------------------

export const AuditQuery = z.strictObject({
  from: Instant.optional(),
  to: Instant.optional(),
  actor: z.string().max(140).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  requestRef: z.string().max(80).optional(),
  after: intQuery(0, Number.MAX_SAFE_INTEGER).default(0).meta({ description: 'events after this seq (the next page cursor)' }),
  limit: intQuery(1, 1000).default(100),
});

export const AuditEventOut = z
  .object({
    seq: z.number().int(),
    at: IsoOut,
    actor: z.string(),
    role: z.string(),
    action: z.string(),
    outcome: z.string(),
    target: z.string().optional(),
    requestRef: z.string().optional(),
    purpose: z.string().optional(),
    count: z.number().int().optional(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    prev: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const AuditList = z.object({ events: z.array(AuditEventOut), next: z.number().int().optional() }).meta({ id: 'AuditList' });

export const AuditVerify = z
  .object({
    ok: z.boolean(),
    events: z.number().int(),
    headSeq: z.number().int(),
    headHash: z.string(),
    problems: z.array(z.object({ seq: z.number().int(), reason: z.string() })),
  })
  .meta({ id: 'AuditVerify' });

// ---- declarations and QR codes (issue 6) ------------------------------------------------------

/**
 * The unified declaration as a citizen sends it. The route validates it in the handler with the
 * engine's validateDeclaration (the same zod schema, with Vietnamese and English messages per
 * field); this schema is what the OpenAPI document shows.
 */
export const DeclarationBody = unifiedDeclarationSchema.meta({ id: 'Declaration', description: 'the unified health and movement declaration (one form for every platform)' });

export const FieldIssueOut = z
  .object({ path: z.string(), code: z.string(), message_vi: z.string(), message_en: z.string() })
  .meta({ id: 'FieldIssue' });

export const QrOut = z
  .object({
    token: z.string().meta({ description: 'the text of the QR code: a compact JWS (ES256), verifiable with /.well-known/jwks.json' }),
    issuedAt: IsoOut,
    validUntil: IsoOut,
    svg: z.string().meta({ description: 'link to the code as SVG (for the holder; keep it private: the key in it is the capability)' }),
    png: z.string().meta({ description: 'link to the code as PNG' }),
    revoke: z.string().meta({ description: 'POST here to revoke the code (a lost or shared phone): the same private key' }),
  })
  .meta({ id: 'QrCode' });

export const DeclarationReceiptOut = z
  .object({
    declarationId: z.string(),
    status: z.enum(['accepted', 'kept_for_review']).meta({
      description: "accepted: the code is issued; kept_for_review: the declaration did not pass the population registry's check and waits for a reviewer (which field, the caller is not told)",
    }),
    qr: QrOut.nullable().meta({ description: 'the code; null when kept for review' }),
    duplicate: z.boolean().meta({ description: 'true when this declaration had been sent before (the first receipt)' }),
  })
  .meta({ id: 'DeclarationReceipt' });

export const DeclarationListQuery = z
  .strictObject({
    status: z.enum(DECLARATION_STATUSES).optional(),
    from: Instant.optional().meta({ description: 'declared at or after' }),
    to: Instant.optional(),
    province: code.optional(),
    district: code.optional(),
    commune: code.optional(),
    skip: intQuery(0, 1_000_000).default(0),
    limit: intQuery(1, 1000).default(100),
  })
  .refine((q) => q.province !== undefined || (q.district === undefined && q.commune === undefined), {
    message: 'district and commune filters need a province',
    path: ['province'],
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from is after to', path: ['from'] });

export const DeclarationSummaryOut = z
  .object({
    id: z.string(),
    personId: z.string(),
    status: z.enum(DECLARATION_STATUSES),
    platform: z.string(),
    declaredAt: IsoOut,
    receivedAt: IsoOut,
    reasons: z.array(FieldIssueOut),
    warnings: z.array(FieldIssueOut),
    home: z.object({ province: z.string(), district: z.string(), commune: z.string() }),
    hasQr: z.boolean(),
    person: MaskedIdentity.optional(),
  })
  .meta({ id: 'DeclarationSummary' });

export const DeclarationList = z
  .object({ declarations: z.array(DeclarationSummaryOut), skip: z.number().int(), limit: z.number().int() })
  .meta({ id: 'DeclarationList' });

export const DECLARATION_ID_RE = /^d[0-9a-f]{24}$/;
export const QrParams = z.strictObject({ id: z.string().regex(DECLARATION_ID_RE, 'a declaration id (d + 24 hex digits)') });
export const QrQuery = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'the key from the receipt').meta({ description: "the link's key, from the declaration's receipt" }),
});
export const QrRevokeQuery = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/, 'the key from the receipt')
    .optional()
    .meta({ description: "the holder's key, from the receipt's links; staff send their token instead" }),
});
export const QrRevokedOut = z
  .object({
    declarationId: z.string(),
    revoked: z.literal(true),
    revokedAt: IsoOut,
    reason: z.enum(['holder', 'staff', 'superseded']).meta({ description: 'who revoked it first: its holder, staff, or a newer declaration of the same person' }),
  })
  .meta({ id: 'QrRevoked' });
export const QrRevocationList = z
  .object({
    protected: z.string().meta({ description: 'base64url JWS header: {"alg":"ES256","kid":…}' }),
    payload: z.string().meta({ description: 'base64url JSON: {"iss":"truyvet","iat":<seconds>,"revoked":["q…", …]} (code ids, the `sub` of the codes)' }),
    signature: z.string(),
  })
  .meta({ id: 'QrRevocationList', description: 'RFC 7515 flattened JWS JSON serialization' });
export const SvgText = z.string().meta({ description: 'SVG document' });
export const PngBytes = z.string().meta({ description: 'PNG image', format: 'binary' });

export const Jwks = z
  .object({
    keys: z.array(
      z.object({ kty: z.string(), crv: z.string().optional(), x: z.string().optional(), y: z.string().optional(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() }),
    ),
  })
  .meta({ id: 'Jwks', description: 'RFC 7517 JSON Web Key Set (public keys only)' });

// ---- checkpoint scans -------------------------------------------------------------------------

/** Same rule as the engine's (engine/scan/service.ts): made by the device, unique per scan. */
export const SCAN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$/;

export const ScanCreate = z
  .strictObject({
    qrText: z.string().min(1).max(2000).meta({ description: "the text read from the QR code: truyvet's signed code or the national personal QR" }),
    scanId: z.string().regex(SCAN_ID_RE, '8–64 letters, digits or . _ : - made by the device').meta({ description: 'made by the device; sending it again returns the first decision' }),
    stationId: StationId,
    scannedAt: Instant.optional().meta({
      description: 'when the device scanned (an offline queue sends later); default now. More than TRUYVET_SCAN_MAX_OFFLINE (72 h) old or 5 minutes ahead: a stop (too_old, future), nothing recorded',
    }),
  })
  .meta({ id: 'ScanCreate' });

export const ScanDecisionOut = z
  .object({
    scanId: z.string(),
    stationId: z.string(),
    decision: z.enum(['pass', 'stop']),
    reason: z.enum(SCAN_REASONS),
    message_vi: z.string(),
    message_en: z.string(),
    flags: z.array(z.enum(SCAN_FLAGS)),
    codeKind: z.enum(['signed', 'national', 'unreadable']),
    personId: z.string().nullable().meta({ description: 'pseudonymous person id, only when the code verified and identified someone (the scan became a passage)' }),
    declarationId: z.string().nullable().meta({ description: 'the declaration of the code, on the same rule as personId' }),
    validUntil: IsoOut.nullable(),
    scannedAt: IsoOut,
    decidedAt: IsoOut,
    passageId: z.string().nullable().meta({ description: 'the passage (source qr) this scan wrote, when the person was identified' }),
    trust: z.enum(['signed', 'national']).nullable().meta({ description: "the passage's evidence level: national codes are unsigned, lower trust" }),
    copiedOf: z.string().nullable(),
    impossibleSpeedKmh: z.number().nullable(),
    replay: z.boolean(),
    recorded: z.boolean().meta({ description: 'the scan was stored by this request (201); false for a replay or a scan outside the time window (200)' }),
  })
  .meta({ id: 'ScanDecision' });

const ALERTS = [...ALERT_FLAGS] as [string, ...string[]];

export const FlaggedScansQuery = z
  .strictObject({
    ...PeriodQuery,
    flag: z.enum(ALERTS).optional(),
    province: code.optional(),
    district: code.optional(),
    commune: code.optional(),
    skip: intQuery(0, 1_000_000).default(0),
    limit: intQuery(1, 1000).default(100),
  })
  .refine((q) => q.from <= q.to, { message: 'from is after to', path: ['from'] })
  .refine((q) => q.province !== undefined || (q.district === undefined && q.commune === undefined), {
    message: 'district and commune filters need a province',
    path: ['province'],
  });

export const FlaggedScanOut = z
  .object({
    id: z.string(),
    stationId: z.string(),
    officer: z.string(),
    at: IsoOut,
    decidedAt: IsoOut,
    decision: z.enum(['pass', 'stop']),
    reason: z.string(),
    flags: z.array(z.string()),
    codeKind: z.string(),
    personId: z.string().nullable(),
    declarationId: z.string().nullable(),
    validUntil: IsoOut.nullable(),
    trust: z.string().nullable(),
    copiedOf: z.string().nullable(),
    impossibleSpeedKmh: z.number().nullable(),
  })
  .meta({ id: 'FlaggedScan' });

export const FlaggedScans = z
  .object({ from: IsoOut, to: IsoOut, scans: z.array(FlaggedScanOut), skip: z.number().int(), limit: z.number().int() })
  .meta({ id: 'FlaggedScans' });

// ---- isolation --------------------------------------------------------------------------------

export const IsolationPut = z
  .strictObject({
    trace: TraceId.optional().meta({
      description: 'tracers: the trace, opened by the caller, that names this person (its request number is audited); officers act on people living in their jurisdiction without one',
    }),
    isolated: z.boolean().meta({ description: 'false releases the person' }),
    classification: z.enum(ISOLATION_CLASSES),
    since: PlannedInstant,
    until: PlannedInstant.nullable().optional().meta({ description: 'end of the isolation (up to a year ahead); absent or null: until released' }),
  })
  .refine((v) => v.until === undefined || v.until === null || v.since < v.until, { message: 'until is not after since', path: ['until'] })
  .meta({ id: 'IsolationPut' });

export const IsolationQuery = z.strictObject({
  trace: TraceId.optional().meta({ description: 'tracers: the trace, opened by the caller, that names this person; officers leave it out' }),
});

export const IsolationOut = z
  .object({
    personId: z.string(),
    isolated: z.boolean(),
    classification: z.enum(ISOLATION_CLASSES),
    since: IsoOut,
    until: IsoOut.nullable(),
    setBy: z.string(),
    updatedAt: IsoOut,
    inForce: z.boolean().meta({ description: 'true when the isolation holds now (scans say stop)' }),
  })
  .meta({ id: 'Isolation' });

// ---- cases (issue 22) -------------------------------------------------------------------------

/**
 * One case as an object, or several as `{cases: […]}` (one case is read as a batch of one), each
 * by the engine's one parser of a case (engine/cases/input.ts), which the cases.csv import uses
 * too: the same fields, instants and period rules, the same refusals.
 */
const oneOrBatch = (v: unknown): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('cases' in v) ? { cases: [v] } : v);

export const CaseCreate = z.preprocess(oneOrBatch, caseBatchSchema(inputContext.now)).meta({
  id: 'CaseCreate',
  description: `one CaseInput, or up to ${MAX_CASES_PER_REQUEST} as {"cases": [CaseInput, …]} (a field of a single case is named cases.0.<field>); all are registered or none`,
});

export const CaseStatusSchema = z.enum(CASE_STATUSES).meta({ id: 'CaseStatus', description: 'confirmed (default), recovered, died, or discarded (a false positive: not traced)' });

export const CaseRegisteredOut = z
  .object({
    cases: z.array(
      z.object({
        id: z.string(),
        outcome: z.enum(['created', 'updated', 'duplicate']).meta({ description: 'updated: the case was stored with other dates, now replaced (its status stays); duplicate: stored exactly so' }),
        registered: z.boolean().meta({ description: 'false: the person is not in the population registry (kept as unregistered; only national tracers see the case)' }),
        warnings: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'CasesRegistered' });

export const CaseOut = z
  .object({
    id: z.string(),
    personId: z.string().meta({ description: "the case person's pseudonymous id (identities: in `identities`)" }),
    confirmedAt: IsoOut,
    onsetAt: IsoOut.optional(),
    infectiousFrom: IsoOut.optional().meta({ description: 'as given; absent: the default applies (see `infectious`)' }),
    infectiousTo: IsoOut.optional(),
    infectious: z.object({ from: IsoOut, to: IsoOut }).meta({ description: 'the infectious period an outbreak trace uses: as given, or (onsetAt ?? confirmedAt) − 2 days to confirmedAt' }),
    status: CaseStatusSchema,
    source: z.string().meta({ description: 'api or import' }),
    createdAt: IsoOut,
    createdBy: z.string(),
    updatedAt: IsoOut,
    statusChangedAt: IsoOut,
    statusChangedBy: z.string(),
    statusNote: z.string().optional(),
    registered: z.boolean(),
    home: z.object({ province: z.string(), district: z.string(), commune: z.string() }).nullable().meta({ description: "the person's registry home; null when unregistered" }),
  })
  .meta({ id: 'Case' });

/** How many people of a list are shown unnamed because their sealed registry record could not be opened. */
const UnreadableCount = z
  .number()
  .int()
  .optional()
  .meta({
    description:
      'people of this answer whose sealed registry record could not be opened (sealed under another TRUYVET_DATA_KEY, or damaged): shown by pseudonym only, in neither identities nor outside; absent when there are none',
  });

export const CaseListQuery = z
  .strictObject({
    status: CaseStatusSchema.optional(),
    confirmedFrom: Instant.optional().meta({ description: 'confirmed at or after' }),
    confirmedTo: Instant.optional().meta({ description: 'confirmed at or before' }),
    skip: intQuery(0, 1_000_000).default(0),
    limit: intQuery(1, 1000).default(100),
  })
  .refine((q) => q.confirmedFrom === undefined || q.confirmedTo === undefined || q.confirmedFrom <= q.confirmedTo, { message: 'confirmedFrom is after confirmedTo', path: ['confirmedFrom'] });

export const CaseList = z
  .object({
    cases: z.array(CaseOut),
    identities: z.record(z.string(), FullIdentity).meta({ description: 'the case persons whose home lies inside your jurisdiction (everyone, for a national tracer), by pseudonymous id' }),
    outside: z.record(z.string(), Home).meta({ description: 'case persons outside your jurisdiction: only their home' }),
    unreadable: UnreadableCount,
    skip: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'CaseList' });

// A case id as stored (engine/cases/input.ts): 1–64 characters, no control characters.
export const CaseParams = z.strictObject({
  // eslint-disable-next-line no-control-regex
  id: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'a case id (no control characters)'),
});

export const CasePatch = z
  .strictObject({
    status: CaseStatusSchema,
    note: z.string().trim().min(1).max(500).optional().meta({ description: 'why (kept with the status; never in the audit log)' }),
  })
  .meta({ id: 'CaseStatusChange' });

export const CaseStatusOut = z
  .object({ case: CaseOut, previousStatus: CaseStatusSchema, changed: z.boolean().meta({ description: 'false: the case had this status already (nothing changed)' }) })
  .meta({ id: 'CaseStatusChanged' });

// ---- outbreak runs (issue 22) -----------------------------------------------------------------

/**
 * A tracer's request for an outbreak run: its fields are read by the engine's parsers of a run
 * request (engine/outbreak/request.ts), shared with `truyvet outbreak trace` (the depth, the
 * tolerance and the mode by the single trace's rules). The handler gets the typed request as `run`.
 */
const runFields = outbreakRequestFields(inputContext);

export const OutbreakCreate = z
  .strictObject({
    caseIds: runFields.caseIds,
    confirmedSince: runFields.confirmedSince.meta({ description: 'trace the registry cases confirmed at or after this instant (of people living in your jurisdiction)' }),
    confirmedUntil: runFields.confirmedUntil.meta({ description: '… and at or before this one' }),
    until: runFields.until.meta({ description: "the horizon: no contact after it counts (default: the latest end of the cases' infectious periods)" }),
    depth: runFields.depth,
    tolerance: runFields.tolerance,
    mode: runFields.mode,
    closeOnly: runFields.closeOnly,
    followUpF2: runFields.followUpF2,
    requestRef: z.string().regex(TRACE_REQUEST_REF_RE, "the health authority's request number (3–80 letters, digits, . / _ : # -)"),
    purpose: z.string().trim().min(3).max(500),
  })
  .superRefine(outbreakRequestRules())
  .transform(({ requestRef, purpose, ...fields }) => ({ requestRef, purpose, run: toOutbreakRequest(fields) }))
  .meta({ id: 'OutbreakCreate' });

export const OutbreakRunId = z.string().regex(OUTBREAK_RUN_ID_RE, 'an outbreak run id');
export const OutbreakParamsPath = z.strictObject({ id: OutbreakRunId });
export const OutbreakPageQuery = TracePageQuery;
export const OutbreakListQuery = TraceListQuery;

export const OutbreakParamsOut = z
  .object({
    from: IsoOut.meta({ description: "the earliest start of the cases' infectious periods" }),
    to: IsoOut.meta({ description: 'the latest end' }),
    until: IsoOut,
    depth: z.number().int(),
    toleranceSeconds: z.number().int(),
    mode: z.enum(['time-respecting', 'naive']),
    closeSeconds: z.number().int().optional().meta({ description: 'overlap (without the tolerance) from which a contact is close (in a page of a done run)' }),
    closeOnly: z.boolean(),
  })
  .meta({ id: 'OutbreakParams' });

export const OutbreakStats = z.object({ people: z.number().int(), contacts: z.number().int(), links: z.number().int(), clusters: z.number().int(), milliseconds: z.number() }).meta({ id: 'OutbreakStats' });

export const OutbreakPerson = TracePerson.extend({
    cases: z.array(z.object({ case: z.string(), at: IsoOut })).meta({ description: "the cases whose chain reached this person, with when (exposure_c), earliest first" }),
  }).meta({ id: 'OutbreakPerson' });

export const OutbreakLink = z
  .object({
    from: z.string(),
    to: z.string(),
    generation: z.number().int(),
    at: IsoOut,
    stationId: z.string(),
    overlapSeconds: z.number(),
    passages: z.tuple([z.string(), z.string()]),
    class: ContactClassOut,
    via: z.string().optional().meta({ description: "the listed person who carried `from`'s chain (generation ≥ 2)" }),
  })
  .meta({ id: 'OutbreakLink', description: "case `to`'s person met `from`'s chain: generation 1 `from`'s person, later a person `from`'s chain reached" });

export const OutbreakCluster = z.object({ id: z.string(), index: z.string(), cases: z.array(z.string()) }).meta({ id: 'OutbreakCluster' });

export const OutbreakRun = z
  .object({
    id: z.string(),
    owner: z.string(),
    requestRef: z.string(),
    purpose: z.string(),
    createdAt: IsoOut,
    source: z.string().meta({ description: 'api or cli' }),
    status: z.enum(OUTBREAK_STATUSES).meta({ description: 'queued → running → done, or failed (see error), or cancelled by its owner' }),
    caseCount: z.number().int(),
    cases: z.array(z.string()).optional().meta({ description: "the registry case ids traced, sorted: only for the run's owner" }),
    params: OutbreakParamsOut,
    progress: z
      .object({
        phase: z.enum(OUTBREAK_PHASES),
        generation: z.number().int().meta({ description: 'the last generation read (depth + 1: the link round)' }),
        people: z.number().int(),
        contacts: z.number().int(),
        links: z.number().int(),
      })
      .meta({ description: 'how far the run is: people, contacts and links so far' }),
    stats: OutbreakStats.optional().meta({ description: 'once done' }),
    graph: z
      .object({ state: z.enum(OUTBREAK_GRAPH_STATES), written: z.number().int() })
      .optional()
      .meta({
        description:
          "once done: its CONTACT relationships (for Neo4j Browser and Bloom), written after the answer is stored (minutes for a day's cases at 10M passages): writing, written, incomplete (cut off by a stop or a crash), or removed (by retention, with the result); written counts them so far",
      }),
    startedAt: IsoOut.optional(),
    finishedAt: IsoOut.optional(),
    error: z.string().optional().meta({ description: 'why it failed or was cancelled' }),
    cancelRequested: z.boolean(),
    hasResult: z.boolean().meta({ description: 'false until done, and once retention removed the result (the metadata stays)' }),
    people: z.array(OutbreakPerson).optional().meta({ description: "done, for its owner: this page's people" }),
    contacts: z.array(TraceContact).optional().meta({ description: "the contacts that reached this page's people" }),
    links: z.array(OutbreakLink).optional().meta({ description: 'every link between the cases (page 1 only)' }),
    clusters: z.array(OutbreakCluster).optional().meta({ description: 'the clusters the links form, with their index cases (page 1 only)' }),
    page: PageInfo.optional(),
    identities: z
      .record(z.string(), FullIdentity)
      .optional()
      .meta({ description: 'the people of this page whose home lies inside your jurisdiction (everyone, for a national tracer), by pseudonymous id' }),
    outside: z.record(z.string(), Home).optional().meta({ description: 'the people of this page who live outside your jurisdiction (or have no registry home): only their home' }),
  })
  .meta({
    id: 'OutbreakRun',
    description: "An outbreak run: its record and progress; once done, for its owner, a page of the OutbreakResult of DESIGN.md (people with their cases, the contacts that reached them; links and clusters on page 1). Admins and auditors: the record without the case ids",
  });

export const OutbreakRunList = z.object({ runs: z.array(OutbreakRun) }).meta({ id: 'OutbreakRunList' });

// ---- follow-up (issue 22 point 5) ---------------------------------------------------------------

export const FollowUpStatusSchema = z.enum(FOLLOW_UP_STATUSES).meta({
  id: 'FollowUpStatus',
  description: 'to_contact → reached | unreachable → quarantined → released | tested_positive (any open status may become tested_positive)',
});

export const FollowUpListQuery = z.strictObject({
  status: followUpStatusFilter,
  skip: intQuery(0, 1_000_000).default(0),
  limit: intQuery(1, 1000).default(200),
});

export const FollowUpExportQuery = z.strictObject({
  status: followUpStatusFilter,
});

export const FollowUpId = z.string().regex(/^fu-[0-9a-f]{20}$/, 'a follow-up id (fu-…)');
export const FollowUpParams = z.strictObject({ id: FollowUpId });

export const FollowUpOut = z
  .object({
    id: z.string(),
    personId: z.string().meta({ description: "the person's pseudonymous id (name and phone: in `identities`)" }),
    status: FollowUpStatusSchema,
    generation: z.number().int().meta({ description: '1 for an F1, 2 for an F2 (the smallest of its sources)' }),
    class: z.enum(['close', 'brief']).meta({ description: 'brief: promoted by a tracer' }),
    exposureAt: IsoOut.meta({ description: 'the exposure that sets the quarantine end' }),
    quarantineUntil: IsoOut.meta({ description: 'exposure + TRUYVET_QUARANTINE_DAYS (the latest of its sources)' }),
    home: z.object({ province: z.string(), district: z.string(), commune: z.string() }).meta({ description: "the person's registry home when the follow-up was opened (empty: not in the registry)" }),
    sources: z.array(z.string()).meta({ description: "where it came from: 'run:<outbreak run id>', 'exposure:<id>'" }),
    createdAt: IsoOut,
    updatedAt: IsoOut,
    statusChangedAt: IsoOut,
    statusChangedBy: z.string(),
    note: z.string().optional(),
    caseId: z.string().optional().meta({ description: 'tested_positive: the case it became' }),
    promotedBy: z.string().optional().meta({ description: 'the tracer who promoted a brief contact' }),
  })
  .meta({ id: 'FollowUp' });

export const FollowUpList = z
  .object({
    followUps: z.array(FollowUpOut),
    identities: z.record(z.string(), FullIdentity).meta({ description: 'name and phone of the people living inside your jurisdiction, by pseudonymous id' }),
    unreadable: UnreadableCount,
    skip: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'FollowUpList' });

export const FollowUpPatch = z
  .strictObject({
    status: FollowUpStatusSchema,
    note: z.string().trim().min(1).max(500).optional().meta({ description: 'what happened (kept with the status; never in the audit log)' }),
    caseId: CaseParams.shape.id.optional().meta({ description: "tested_positive: the laboratory's case id (default: the follow-up's id)" }),
    confirmedAt: Instant.optional().meta({ description: 'tested_positive: when the test was confirmed (default: now)' }),
  })
  .meta({ id: 'FollowUpStatusChange' });

export const FollowUpStatusOut = z
  .object({ followUp: FollowUpOut, previousStatus: FollowUpStatusSchema, changed: z.boolean().meta({ description: 'false: it had this status already' }) })
  .meta({ id: 'FollowUpStatusChanged' });

export const FollowUpPromote = z
  .strictObject({ personId: z.string().trim().min(1).max(128).meta({ description: "a listed person's pseudonymous id, as the run's pages give it" }) })
  .meta({ id: 'FollowUpPromote' });

export const FollowUpPromoted = z
  .object({
    id: z.string(),
    outcome: z.enum(['created', 'updated', 'unchanged']).meta({ description: 'created: a new follow-up; updated: joined the open one; unchanged: already followed up from this run' }),
    generation: z.number().int(),
  })
  .meta({ id: 'FollowUpPromoted' });

export const DailyStatsQuery = z
  .strictObject({ from: Instant, to: Instant })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 92 * 86_400_000, { message: 'at most 92 days', path: ['to'] });

export const DailyStatsOut = z
  .object({
    days: z.array(z.object({ day: z.string().meta({ description: 'YYYY-MM-DD, Ho Chi Minh City time' }), cases: z.number().int(), f1s: z.number().int() })),
    followUps: z.record(z.string(), z.number().int()).meta({ description: 'follow-ups by status now' }),
  })
  .meta({ id: 'DailyStats', description: "cases by confirmation day, F1s (made follow-ups) by exposure day, follow-ups by status; for the caller's jurisdiction" });

export const CsvText = z.string().meta({ description: 'CSV, UTF-8 with a BOM' });

export const Empty = z.strictObject({});

// ---- clusters across days (issue 22 point 4) ----------------------------------------------------

export const ClusterId = z.string().regex(CLUSTER_ID_RE, "a cluster id ('cl-' and 16 hex digits)");
export const ClusterParams = z.strictObject({ id: ClusterId });
export const ClusterListQuery = z.strictObject({
  since: Instant.optional().meta({ description: 'only clusters changed (created, grown, merged) at or after this instant' }),
  skip: intQuery(0, 1_000_000).default(0),
  limit: intQuery(1, 1000).default(100),
});

const UnitHome = z.object({ province: z.string(), district: z.string(), commune: z.string() });

export const Cluster = z
  .object({
    id: z.string().meta({ description: 'stable across days: kept when later runs add cases, and by the older cluster of a merge' }),
    indexCase: z.string().nullable().meta({ description: 'the case with the earliest infectious start, then the smallest id; null when its person lives outside your jurisdiction' }),
    createdAt: IsoOut,
    updatedAt: IsoOut,
    merged: z.array(z.string()).meta({ description: 'ids of clusters merged into this one (GET /api/clusters/:id with one of them answers this cluster)' }),
    size: z.number().int(),
    firstConfirmedAt: IsoOut,
    lastConfirmedAt: IsoOut,
    days: z
      .array(z.object({ day: z.string().meta({ description: 'YYYY-MM-DD, Ho Chi Minh City time' }), cases: z.number().int(), total: z.number().int() }))
      .meta({ description: "size by day: cases confirmed each day, and the cluster's size at its end" }),
    communes: z.array(UnitHome.extend({ cases: z.number().int() })).meta({ description: 'the registry homes of all its case persons, most cases first' }),
    unregistered: z.number().int().meta({ description: 'case persons not in the population registry (no home)' }),
    cases: z.array(z.object({ id: z.string(), confirmedAt: IsoOut, status: z.string(), home: UnitHome.nullable() })).meta({ description: 'its cases of people living inside your jurisdiction' }),
    outsideCases: z.number().int().meta({ description: 'its other cases, counted only' }),
    stations: z
      .array(z.object({ id: z.string(), name: z.string().nullable(), province: z.string().nullable(), district: z.string().nullable(), commune: z.string().nullable(), links: z.number().int() }))
      .optional()
      .meta({ description: 'GET /api/clusters/:id only: where its links happened (distinct pairs of cases), most first' }),
  })
  .meta({ id: 'Cluster' });

export const ClusterList = z.object({ clusters: z.array(Cluster), skip: z.number().int(), limit: z.number().int() }).meta({ id: 'ClusterList' });
