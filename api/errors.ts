import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { isTruyvetError, validationFailed, type ErrorCode, type ErrorDetail, type TruyvetError } from '../engine/errors';
import type { Logger } from '../engine/logger';

/**
 * One table from the engine's error code to an HTTP status, and one place that turns any error
 * into application/problem+json (RFC 9457). A response never carries a stack trace, a driver
 * message or Cypher: engine errors keep their own short message, everything else becomes
 * "internal error" and goes to the log without its message (a driver message can quote data).
 */

export const STATUS: Readonly<Record<ErrorCode, number>> = {
  validation: 400,
  invalid_input: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** One field's problem; declarations add their issue code and both languages. */
export interface ProblemError {
  path: string;
  message: string;
  code?: string;
  message_vi?: string;
  message_en?: string;
}

/** RFC 9457 extension members a problem may carry (only ids, never personal data). */
export interface ProblemExtensions {
  declarationId?: string;
}

/**
 * HTTP-level problems that are not engine errors: media types, encodings, sizes, rates, a busy or
 * cancelled trace gate. A request whose fields break their rules is the engine's `validation`
 * error (400 through STATUS), never one of these.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly ProblemError[] = [],
    readonly extensions: ProblemExtensions = {},
    /** Sent as Retry-After (a 503 from a busy server). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ProblemBody extends ProblemExtensions {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: ProblemError[];
}

export function problem(status: number, code: string, detail: string, errors: readonly ProblemError[] = [], extensions: ProblemExtensions = {}): ProblemBody {
  return {
    type: status === 500 ? 'about:blank' : `https://truyvet.invalid/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors.length > 0 ? { errors: [...errors] } : {}),
    ...extensions,
  };
}

export function sendProblem(res: Response, body: ProblemBody): void {
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** A zod failure as a 400 naming each field path (`body.depth`, `query.from`). */
export function validationError(where: 'body' | 'query' | 'params', err: z.ZodError): TruyvetError {
  return validationFailed(
    `the request ${where} is not valid`,
    err.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), reason: i.message })),
  );
}

/** Field problems found after the schema (e.g. codes that name no administrative unit), as the same 400. */
export function fieldsError(where: 'body' | 'query' | 'params', problems: readonly { path: string; message: string }[]): TruyvetError {
  return validationFailed(`the request ${where} is not valid`, problems.map((p) => ({ field: `${where}.${p.path}`, reason: p.message })));
}

/** Errors from express.json and friends (they carry `type` and `status`). */
function bodyParserProblem(e: { type?: string; status?: number }): ProblemBody | undefined {
  switch (e.type) {
    case 'entity.too.large':
      return problem(413, 'too_large', 'the request body is larger than this route accepts');
    case 'entity.parse.failed':
      return problem(400, 'malformed', 'the request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'unsupported_media_type', 'the request body encoding is not supported');
    case 'request.aborted':
      return problem(400, 'aborted', 'the request was aborted');
    default:
      // A compressed body whose bytes are not in its Content-Encoding: express.json passes the
      // decompressor's error on with status 400 and no type.
      if (e.status === 400 && typeof (e as { code?: unknown }).code === 'string' && /^(Z_|ERR_)/.test((e as { code: string }).code)) {
        return problem(400, 'malformed', 'the request body could not be decompressed: its bytes are not in the encoding its Content-Encoding names');
      }
      return undefined;
  }
}

function problemError(d: ErrorDetail): ProblemError {
  return {
    path: d.field ?? (d.line !== undefined ? `line ${d.line}` : ''),
    message: d.reason,
    ...(d.code !== undefined ? { code: d.code } : {}),
    ...(d.messages !== undefined ? { message_vi: d.messages.vi, message_en: d.messages.en } : {}),
  };
}

export function toProblem(e: unknown): ProblemBody {
  if (isTruyvetError(e)) {
    const status = STATUS[e.code];
    return problem(status, e.code, e.message, e.details.map(problemError));
  }
  if (e instanceof HttpError) return problem(e.status, e.code, e.message, e.errors, e.extensions);
  const bp = typeof e === 'object' && e !== null ? bodyParserProblem(e) : undefined;
  if (bp) return bp;
  return problem(500, 'internal', 'internal error');
}

/** The last middleware: logs what the caller must not see, answers what it may. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const body = toProblem(err);
    if (body.status >= 500) {
      // Stack frames only: an error's message may quote a value, and values can be personal.
      const stack = err instanceof Error ? (err.stack ?? '').split('\n').slice(1).join('\n') : '';
      const type = err instanceof Error ? err.name : typeof err;
      const code = (err as { code?: unknown } | null)?.code;
      logger.error({ reqId: res.locals['reqId'] as unknown, route: res.locals['routeId'] as unknown, type, code: typeof code === 'string' ? code : undefined, stack }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    void req;
    if (err instanceof HttpError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    sendProblem(res, body);
  };
}
