// The JSON schemas the API validates with (Fastify compiles them with Ajv), and the OpenAPI
// document built from the very same objects, so that the document cannot drift from what the
// server accepts.
import { CASE_STATUSES, PRIORITIES } from '../domain/caseRules.js';
import type { Permission } from '../domain/permissions.js';
import { NO_CONTROL_PATTERN } from '../domain/text.js';

/** One line of text: no control characters (NUL, escape, tab, line breaks…). */
const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: NO_CONTROL_PATTERN.line }) as const;
/** Several lines: tabs and line breaks, no other control characters. */
const lines = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: NO_CONTROL_PATTERN.lines }) as const;
const email = { type: 'string', minLength: 3, maxLength: 254, pattern: NO_CONTROL_PATTERN.line, description: 'a plain email address (addr-spec), such as ann@example.com' } as const;

export const caseNumberParams = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'string', pattern: '^[0-9]{8}$', description: 'case number, 8 digits' } },
} as const;

export const createCaseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'customer'],
  properties: {
    subject: text(255, 1),
    description: lines(100_000),
    priority: { type: 'string', enum: [...PRIORITIES] },
    origin: { ...text(40, 1), description: 'default API' },
    customer: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'who the issue is for; the contact is found by email, else first and last name, else username, handle or external id',
      properties: {
        email,
        firstName: text(100, 1),
        lastName: text(100, 1),
        username: text(200, 1),
        handle: text(200, 1),
        externalId: text(200, 1),
      },
    },
  },
} as const;

export const commentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['author', 'body'],
  properties: {
    author: { ...email, description: 'a user, or the case contact or a collaborator' },
    body: lines(100_000, 1),
    internal: { type: 'boolean', description: 'internal note, users only; default false' },
  },
} as const;

export const collaboratorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'as'],
  properties: {
    email,
    as: {
      ...email,
      description:
        'who acts, always named (a key is not the operator at a terminal): the case contact or an active help admin of its account, who may add or remove anyone; a help admin of another account, only itself; or a user (agent) with the edit permission, who may add or remove anyone',
    },
  },
} as const;

export const contactLinkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['contact'],
  properties: { contact: { ...text(254, 1), description: 'contact id or email' } },
} as const;

export const contactSearchQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['search'],
  properties: { search: { ...text(200, 1), description: 'part of a name, email, username, handle or external id' } },
} as const;

const when = { ...text(40, 1), description: 'a date (2026-12-01), a time (2026-12-01T09:30Z; UTC unless it names its zone) or a duration back from now (90m, 2h, 7d, 2w)' } as const;

/** At most this many cases answer one page of GET /api/v1/cases. */
export const CASE_PAGE_MAX = 500;
export const CASE_PAGE_DEFAULT = 50;

export const caseListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...CASE_STATUSES] },
    owner: { ...email, description: 'only cases this user owns' },
    contact: { ...text(254, 1), description: 'only cases of this contact: id or email' },
    account: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'only cases of this account (id)' },
    updatedSince: { ...when, description: `only cases changed since: ${when.description}` },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `cases per page: 1 to ${CASE_PAGE_MAX}, default ${CASE_PAGE_DEFAULT}` },
    after: { ...caseNumberParams.properties.number, description: 'the `next` of the page before: cases opened after this one' },
  },
} as const;

export const casePatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    owner: { ...email, description: 'the user who owns the case from now on' },
    priority: { type: 'string', enum: [...PRIORITIES], description: 'one the case\'s record type allows' },
    status: { type: 'string', enum: [...CASE_STATUSES], description: 'one the case\'s record type allows; Closed sets closedAt, another status clears it' },
    as: { ...email, description: 'the user making the change, who needs the edit permission; without it the history names the key' },
  },
} as const;

/** One operation of the API: what it validates, what it needs and what it answers. */
export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  permission: Permission;
  params?: object;
  body?: object;
  query?: object;
  status: number;
  answers: string;
  /** What a key without the `read` permission gets instead: only what it wrote. */
  bare?: { answers: string; schema: object };
}

const caseNumber = { type: 'string', pattern: '^[0-9]{8}$' } as const;
const bareObject = (properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const;
const bareCollaborator = { case: caseNumber, email: { type: 'string' }, id: { type: 'integer' } } as const;

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'POST',
    url: '/api/v1/cases',
    summary: 'escalate a customer\'s issue to a case',
    permission: 'create',
    body: createCaseBody,
    status: 201,
    answers: 'the case, as `casegate case show NUMBER --json` prints it',
    bare: { answers: 'the case number only', schema: bareObject({ number: caseNumber }) },
  },
  {
    method: 'GET',
    url: '/api/v1/cases',
    summary: 'list cases, oldest first, a page at a time',
    permission: 'read',
    query: caseListQuery,
    status: 200,
    answers: '`{cases, next}`: the cases as `casegate case list --json` prints them, and the `after` of the next page (null on the last)',
  },
  {
    method: 'PATCH',
    url: '/api/v1/cases/:number',
    summary: 'change the owner, priority or status of a case (each change goes into its history)',
    permission: 'edit',
    params: caseNumberParams,
    body: casePatchBody,
    status: 200,
    answers: 'the case, as `casegate case show NUMBER --json` prints it',
    bare: {
      answers: 'the case number and the values it sent (owner, priority, status)',
      schema: { type: 'object', additionalProperties: false, required: ['number'], properties: { number: caseNumber, owner: { type: 'string' }, priority: { type: 'string' }, status: { type: 'string' } } },
    },
  },
  { method: 'GET', url: '/api/v1/cases/:number', summary: 'a case', permission: 'read', params: caseNumberParams, status: 200, answers: 'the case, as `casegate case show NUMBER --json` prints it, internal comments included' },
  { method: 'POST', url: '/api/v1/cases/:number/comments', summary: 'add a comment', permission: 'edit', params: caseNumberParams, body: commentBody, status: 201, answers: 'the comment as sent, with its id and time, as `casegate comment add --json` prints it' },
  {
    method: 'POST',
    url: '/api/v1/cases/:number/collaborators',
    summary: 'add a collaborator',
    permission: 'edit',
    params: caseNumberParams,
    body: collaboratorBody,
    status: 201,
    answers: 'the collaborator, as `casegate collaborator add --json` prints it',
    bare: { answers: 'the case number, the address and the id of the collaborator', schema: bareObject(bareCollaborator) },
  },
  {
    method: 'DELETE',
    url: '/api/v1/cases/:number/collaborators',
    summary: 'remove a collaborator',
    permission: 'edit',
    params: caseNumberParams,
    body: collaboratorBody,
    status: 200,
    answers: 'the removed collaborator, as `casegate collaborator remove --json` prints it',
    bare: { answers: 'the case number, the address and the id of the removed collaborator', schema: bareObject({ ...bareCollaborator, removed: { const: true } }) },
  },
  {
    method: 'POST',
    url: '/api/v1/cases/:number/contact',
    summary: 'link (or relink) the case to a contact',
    permission: 'edit',
    params: caseNumberParams,
    body: contactLinkBody,
    status: 200,
    answers: 'the case',
    bare: { answers: 'the case number and the contact as sent', schema: bareObject({ case: caseNumber, contact: { type: 'string' } }) },
  },
  {
    method: 'DELETE',
    url: '/api/v1/cases/:number/contact',
    summary: 'unlink the contact of the case',
    permission: 'edit',
    params: caseNumberParams,
    status: 200,
    answers: 'the case',
    bare: { answers: 'the case number, and contact null', schema: bareObject({ case: caseNumber, contact: { type: 'null' } }) },
  },
  { method: 'GET', url: '/api/v1/contacts', summary: 'search contacts', permission: 'read', query: contactSearchQuery, status: 200, answers: 'contacts, as `casegate contact search --json` prints them' },
];

const errorSchema = {
  type: 'object',
  required: ['error', 'hint'],
  properties: { error: { type: 'string' }, hint: { type: 'string', description: 'what to do about it' } },
};

const ERRORS: Record<string, string> = {
  '400': 'the request does not match the schema, or a value is refused',
  '401': 'no key, an unknown key or a revoked key',
  '403': 'the key lacks the permission, or the person acting may not do this',
  '404': 'no such case, contact or collaborator',
  '409': 'the change conflicts with the record as it is',
  '413': 'the body is larger than CASEGATE_API_MAX_BODY_BYTES',
  '429': 'more requests from this key this minute than CASEGATE_API_RATE_LIMIT; see Retry-After',
};

const answerText = (op: Operation): string => (op.bare ? `with \`read\`: ${op.answers}; without: ${op.bare.answers}` : op.answers);

function answerSchema(op: Operation): object {
  const full = { type: op.url === '/api/v1/contacts' ? 'array' : 'object', description: op.answers };
  return op.bare ? { anyOf: [{ ...full, description: `a key with read: ${op.answers}` }, { ...op.bare.schema, description: `a key without read: ${op.bare.answers}` }] } : full;
}

/** OpenAPI 3.1 document of the API (JSON Schema 2020-12 is a superset of what Ajv checks here). */
export function openApiDocument(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const path = op.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...Object.entries((op.params as { properties?: Record<string, object> } | undefined)?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries((op.query as { properties?: Record<string, object> } | undefined)?.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: ((op.query as { required?: string[] }).required ?? []).includes(name),
        schema,
      })),
    ];
    paths[path] ??= {};
    (paths[path] as Record<string, object>)[op.method.toLowerCase()] = {
      summary: op.summary,
      description: `Needs the \`${op.permission}\` permission.${op.bare ? ` A key with \`read\` gets ${op.answers}; a key without \`read\` gets ${op.bare.answers}, and nothing else of the case.` : ''}`,
      security: [{ apiKey: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        [String(op.status)]: { description: answerText(op), content: { 'application/json': { schema: answerSchema(op) } } },
        ...Object.fromEntries(Object.entries(ERRORS).map(([code, description]) => [code, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'casegate API', version: '1', description: 'Escalate issues to cases and work on them (SPEC §8). Keys: casegate apikey create NAME.' },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } }, schemas: { Error: errorSchema } },
    paths,
  };
}
