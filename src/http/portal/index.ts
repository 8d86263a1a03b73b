// The Help portal for contacts (SPEC §11) at /help: sign-in by mail, the person's cases, comments,
// collaborators, and the one-click unsubscribe of collaborators' notifications. Server-rendered
// HTML; forms are url-encoded (no JavaScript needed) and carry a CSRF token.
import type { FastifyInstance } from 'fastify';
import { unsubscribeByLink } from '../../cases/unsubscribe.js';
import { registerCases } from './cases.js';
import { html, portalContext, type PortalDeps } from './context.js';
import { problemPage, unsubscribeConfirmPage, unsubscribedPage, unsubscribeNotValidPage } from './pages.js';
import { registerSignIn } from './signIn.js';

/** Forms are small: an address, a comment of at most 32,000 characters. */
const FORM_BYTES = 256 * 1024;

export async function registerPortal(app: FastifyInstance, deps: PortalDeps): Promise<void> {
  const ctx = portalContext(deps);
  await app.register(async (portal) => {
    portal.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BYTES }, (_req, body, done) => {
      const fields: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(body as string)) if (!(name in fields)) fields[name] = value;
      done(null, fields);
    });
    // RFC 8058 lets a mail provider send the one-click POST as multipart/form-data too; its one
    // field says nothing the URL does not, so the body is read (bounded) and dropped.
    portal.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, _body, done) => done(null, {}));
    portal.setErrorHandler((err, req, reply) => {
      const e = err as { statusCode?: number; code?: string };
      if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return html(reply, 413, problemPage('Too large', `The form was larger than ${FORM_BYTES / 1024} KiB; nothing was saved. Shorten the comment.`));
      if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return html(reply, 415, problemPage('Not a form', 'The request was not sent as a form of this page; nothing was saved. Send it from the page.'));
      console.error(`casegate: http ${req.method} ${req.url.split('?')[0]}: ${(err as Error)?.stack ?? String(err)}`);
      return html(reply, 500, problemPage('Something went wrong', 'Something went wrong on our side and nothing was saved; please try again.'));
    });
    registerSignIn(portal, ctx);
    registerCases(portal, ctx);

    // A GET only asks (mail scanners open links); the POST, also RFC 8058's one-click, removes.
    portal.get<{ Params: { token: string } }>('/help/unsubscribe/:token', async (req, reply) => html(reply, 200, unsubscribeConfirmPage(req.params.token)));
    portal.post<{ Params: { token: string } }>('/help/unsubscribe/:token', async (req, reply) => {
      const outcome = await deps.db.transaction((tx) => unsubscribeByLink(tx, deps.config, req.params.token, deps.now()));
      if (outcome.kind === 'not-valid') return html(reply, 404, unsubscribeNotValidPage());
      deps.log(`help: ${outcome.email} stopped the emails of case ${outcome.caseNumber} (one-click unsubscribe)`);
      deps.onQueued();
      return html(reply, 200, unsubscribedPage(outcome.caseNumber, outcome.email));
    });
  });
}
