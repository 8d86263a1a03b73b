// The Help portal's case pages (SPEC §11): the list, one case with its public comments, their
// attachments and its collaborators, the contact search, and the forms that add a comment and add
// or remove a collaborator. Only the case contact and help admins of its account get in; anyone
// else (a collaborator too) gets 403 "Insufficient privileges", also for a number that does not exist.
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tx } from '../../db/engine.js';
import { caseByNumber, type CaseRow } from '../../db/cases.js';
import { portalAttachment, portalCase, portalCases, portalContactSearch } from '../../views/portal.js';
import { contentDisposition, downloadType, portalAccess } from '../../domain/portal.js';
import { field, html, type PortalContext, type Session } from './context.js';
import { casePage, casesPage, expiredFormPage, fileNotFoundPage, insufficientPrivilegesPage, type CasePageState } from './pages.js';
import { addFromPortal, commentFromPortal, removeFromPortal, type PortalResult } from './actions.js';

type CaseRequest = FastifyRequest<{ Params: { number: string; id?: string }; Querystring: { q?: string; done?: string } }>;

/** What a redirect after a successful form says on the page (Post/Redirect/Get). */
const NOTICES: Readonly<Record<string, string>> = {
  comment: 'Your comment was added. Everyone on the case gets it by email.',
  added: 'The collaborator was added and gets the case history by email.',
  removed: 'The collaborator was removed and gets no more emails about this case.',
};

export function registerCases(app: FastifyInstance, ctx: PortalContext): void {
  const { db } = ctx;
  const layout = (s: Session) => ({ signedIn: { email: s.viewer.email, csrf: s.csrf } });

  /** The signed-in person and the case they may see; otherwise the answer has been sent. */
  async function open(req: CaseRequest, reply: FastifyReply): Promise<{ s: Session; row: CaseRow } | null> {
    const s = await ctx.session(req);
    if (s === null) {
      await reply.redirect('/help', 303);
      return null;
    }
    const number = req.params.number;
    const row = /^\d{1,12}$/.test(number) ? await db.transaction((tx) => caseByNumber(tx, number), 'read') : undefined;
    if (row === undefined || portalAccess(s.viewer, row) === 'forbidden') {
      await html(reply, 403, insufficientPrivilegesPage(layout(s)));
      return null;
    }
    return { s, row };
  }

  const show = async (reply: FastifyReply, s: Session, row: CaseRow, status: number, state: Omit<CasePageState, 'csrf'>) => {
    const view = await db.transaction((tx: Tx) => portalCase(tx, row), 'read');
    return html(reply, status, casePage(view, { ...state, csrf: s.csrf }, layout(s)));
  };

  app.get('/help/cases', async (req, reply) => {
    const s = await ctx.session(req);
    if (s === null) return reply.redirect('/help', 303);
    const cases = await db.transaction((tx) => portalCases(tx, s.viewer), 'read');
    return html(reply, 200, casesPage(cases, s.viewer.contacts.some((c) => c.helpAdmin), layout(s)));
  });

  app.get('/help/cases/:number', async (req: CaseRequest, reply) => {
    const o = await open(req, reply);
    if (o === null) return reply;
    return show(reply, o.s, o.row, 200, { notice: NOTICES[req.query.done ?? ''] });
  });

  app.get('/help/cases/:number/contacts', async (req: CaseRequest, reply) => {
    const o = await open(req, reply);
    if (o === null) return reply;
    const q = (req.query.q ?? '').slice(0, 100);
    const results = await db.transaction((tx) => portalContactSearch(tx, o.row, q), 'read');
    return show(reply, o.s, o.row, 200, { search: { q, results } });
  });

  /** A form's answer: back to the case page with a notice, or the page with the refusal in words. */
  const post = (action: (s: Session, row: CaseRow, body: unknown) => Promise<PortalResult>) => async (req: CaseRequest, reply: FastifyReply) => {
    const o = await open(req, reply);
    if (o === null) return reply;
    if (!(await ctx.csrfOk(o.s.token, req.body))) return html(reply, 403, expiredFormPage());
    const result = await action(o.s, o.row, req.body);
    if (result.ok) {
      if (result.queued) ctx.onQueued();
      return reply.redirect(`/help/cases/${o.row.number}?done=${result.done}`, 303);
    }
    return show(reply, o.s, o.row, result.status, { error: result.error, typed: result.typed });
  };

  app.post('/help/cases/:number/comments', post((s, row, body) => commentFromPortal(ctx, s.viewer, row, field(body, 'body'))));
  app.post('/help/cases/:number/collaborators', post((s, row, body) => addFromPortal(ctx, s.viewer, row, field(body, 'email'))));
  app.post('/help/cases/:number/collaborators/remove', post((s, row, body) => removeFromPortal(ctx, s.viewer, row, field(body, 'email'))));

  app.get('/help/cases/:number/attachments/:id', async (req: CaseRequest, reply) => {
    const o = await open(req, reply);
    if (o === null) return reply;
    const id = /^\d{1,12}$/.test(req.params.id ?? '') ? Number(req.params.id) : -1;
    const a = await db.transaction(async (tx) => {
      const found = await portalAttachment(tx, o.row, id);
      return found === undefined || (await db.blobs.missing(tx, [found.sha256])).length > 0 ? undefined : found;
    }, 'read');
    if (a === undefined) return html(reply, 404, fileNotFoundPage(o.row.number, layout(o.s)));
    const source = db.blobs.source(a.sha256, a.size);
    return reply
      .code(200)
      .header('content-type', downloadType(a.contentType))
      .header('content-length', String(a.size))
      .header('content-disposition', contentDisposition(a.filename))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send('path' in source ? fs.createReadStream(source.path) : source.content);
  });
}
