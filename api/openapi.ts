import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { openApiPath, ROUTE_LIST, type RouteDef } from './routes';
import { Problem } from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (the same
 * schemas that check requests and shape responses), so it cannot drift from the code.
 */

const ERRORS: Readonly<Record<number, string>> = {
  400: 'the request does not match its schema (field paths in `errors`)',
  401: 'no valid token',
  403: 'the role or jurisdiction does not allow this',
  404: 'not found',
  409: 'conflict with what is stored',
  413: 'body too large',
  422: 'well-formed but cannot be processed',
  429: 'too many requests',
  503: 'the database does not answer, or (POST /api/traces) too many traces wait already: see Retry-After',
};

function routeConfig(r: RouteDef): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, res] of Object.entries(r.responses)) {
    responses[status] = res.schema ? { description: res.description, content: { [res.contentType ?? 'application/json']: { schema: res.schema } } } : { description: res.description };
  }
  const errors = r.access === 'public' ? [400, 413, 422, 429, 503] : [400, 401, 403, 404, 409, 413, 422, 429, 503];
  for (const status of errors) {
    responses[String(status)] ??= { description: ERRORS[status] ?? 'error', content: { 'application/problem+json': { schema: Problem } } };
  }
  const request: NonNullable<RouteConfig['request']> = {};
  if (r.params) request.params = r.params as z.ZodObject;
  if (r.query) request.query = r.query as z.ZodObject;
  if (r.body) request.body = { required: true, content: { 'application/json': { schema: r.body } } };
  if (r.bodyKind === 'csv') {
    request.body = { required: true, description: 'passages.csv (DESIGN.md), streamed', content: { 'text/csv': { schema: { type: 'string' } } } };
  }
  return {
    method: r.method,
    path: openApiPath(r.path),
    operationId: r.id,
    summary: r.summary,
    description:
      r.access === 'public'
        ? 'No login needed.'
        : `Roles: ${r.access.join(', ')}.${r.scoped ? " Limited to the caller's jurisdiction." : ''}${r.holderKey ? " Or, without a token, the QR code's holder with the receipt's `key`." : ''}${r.personal ? ' Returns personal data: audited, `Cache-Control: no-store`.' : ''}`,
    ...(r.access === 'public' ? {} : { security: r.holderKey ? [{ bearer: [] }, {}] : [{ bearer: [] }] }),
    request,
    responses,
  };
}

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const r of ROUTE_LIST) registry.registerPath(routeConfig(r));
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'truyvet API',
      version: '0.1.0',
      description: 'Contact tracing over checkpoint movement data. Every route but health, this document and login needs a bearer token.',
    },
  });
  return cached;
}
