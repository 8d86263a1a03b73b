// The one map from error to HTTP status, and the JSON error body `{error, hint}` (SPEC §8).
import { CasegateError, OutOfReachError, type ErrorKind } from '../errors.js';
import { controlCharacterProblem, NO_CONTROL_PATTERN, type TextShape } from '../domain/text.js';

const STATUS: Readonly<Record<ErrorKind, number>> = Object.freeze({ invalid: 400, 'not-found': 404, forbidden: 403, conflict: 409, unavailable: 503 });

const LABEL: Readonly<Record<number, string>> = Object.freeze({
  400: 'invalid request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  409: 'conflict',
  413: 'payload too large',
  415: 'unsupported media type',
  429: 'too many requests',
  500: 'internal error',
  503: 'unavailable',
});

export interface HttpError {
  status: number;
  body: { error: string; hint: string };
  /** Sent as the Retry-After header (seconds). */
  retryAfterSeconds?: number;
}

/** How long a client is told to wait while the database is out of reach (Retry-After of the 503). */
export const OUT_OF_REACH_RETRY_SECONDS = 30;

/** The 503 while the database is out of reach: says so, names no server, and when to try again. */
export function outOfReachError(): HttpError {
  const retryAfterSeconds = OUT_OF_REACH_RETRY_SECONDS;
  return { ...httpError(503, `the case database is out of reach for a moment; nothing was changed, try again in ${retryAfterSeconds} s`), retryAfterSeconds };
}

export function httpError(status: number, hint: string): HttpError {
  return { status, body: { error: LABEL[status] ?? 'error', hint } };
}

/** What a request sent, by Fastify's validation context (`body`, `querystring`, `params`). */
export type SentInput = Readonly<Record<string, unknown>>;

interface SchemaError {
  keyword?: string;
  instancePath?: string;
  params?: { pattern?: string };
}

const SHAPE_OF_PATTERN = new Map<string, TextShape>(Object.entries(NO_CONTROL_PATTERN).map(([shape, pattern]) => [pattern, shape as TextShape]));

/** A control character refused by a schema pattern, said as what it is and where; else null. */
function controlCharacterHint(first: SchemaError | undefined, context: string | undefined, sent: SentInput): string | null {
  const shape = SHAPE_OF_PATTERN.get(first?.params?.pattern ?? '');
  if (first?.keyword !== 'pattern' || shape === undefined) return null;
  const steps = (first.instancePath ?? '').split('/').slice(1);
  let value: unknown = sent[context ?? 'body'];
  for (const step of steps) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[step] : undefined;
  if (typeof value !== 'string') return null;
  return controlCharacterProblem(steps.join('.') || (context ?? 'the value'), value, shape);
}

/** A thrown error as an answer: ours by kind, Fastify's by its status code, anything else 500. */
export function httpErrorOf(err: unknown, maxBodyBytes: number, sent: SentInput = {}): HttpError {
  if (err instanceof OutOfReachError) return outOfReachError();
  if (err instanceof CasegateError) return httpError(STATUS[err.kind], err.message);
  const e = err as { statusCode?: number; code?: string; validation?: SchemaError[]; validationContext?: string; message?: string };
  if (e.validation !== undefined) {
    const control = controlCharacterHint(e.validation[0], e.validationContext, sent);
    return httpError(400, control ?? `${e.message ?? 'the request does not match the schema'}; see /api/v1/openapi.json`);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return httpError(413, `the body is larger than ${maxBodyBytes} bytes (CASEGATE_API_MAX_BODY_BYTES); send less`);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return httpError(415, 'send the body as JSON with Content-Type: application/json');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return httpError(e.statusCode, e.message ?? 'bad request');
  return httpError(500, 'the server failed on this request; it is logged, try again or report it');
}
