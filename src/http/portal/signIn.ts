// Signing in and out of the Help portal (SPEC §11): GET /help (the form), POST /help/sign-in (the
// same answer for every address), GET /help/s/TOKEN (the link from the mail), POST /help/sign-out.
import type { FastifyInstance } from 'fastify';
import { redeemSignIn, requestSignIn, signOut } from '../../cases/portalSignIn.js';
import { addressProblem } from '../../domain/address.js';
import { csrfToken, newPortalToken } from '../../domain/portal.js';
import { cookie, readCookies, SESSION_COOKIE, tokenShape, VISITOR_COOKIE } from './cookies.js';
import { field, html, type PortalContext } from './context.js';
import { checkMailPage, expiredFormPage, linkNotValidPage, signedOutPage, signInPage, tooManyPage } from './pages.js';

const VISITOR_SECONDS = 3600;

export function registerSignIn(app: FastifyInstance, ctx: PortalContext): void {
  const { db } = ctx;

  app.get('/help', async (req, reply) => {
    if ((await ctx.session(req)) !== null) return reply.redirect('/help/cases', 303);
    // The sign-in form's CSRF token is bound to a visitor cookie (there is no session yet).
    const visitor = tokenShape(readCookies(req.headers.cookie).get(VISITOR_COOKIE)) ?? newPortalToken();
    reply.header('set-cookie', cookie(VISITOR_COOKIE, visitor, { secure: ctx.secure, maxAgeSeconds: VISITOR_SECONDS }));
    return html(reply, 200, signInPage(csrfToken(await ctx.key(), visitor)));
  });

  app.post('/help/sign-in', async (req, reply) => {
    const visitor = tokenShape(readCookies(req.headers.cookie).get(VISITOR_COOKIE));
    if (!(await ctx.csrfOk(visitor, req.body))) return html(reply, 403, expiredFormPage());
    const csrf = csrfToken(await ctx.key(), visitor as string);
    const email = field(req.body, 'email').trim();
    if (email === '') return html(reply, 400, signInPage(csrf, { error: 'Enter your email address.' }));
    if (email.length > 254 || addressProblem(email) !== null) return html(reply, 400, signInPage(csrf, { email, error: 'Enter an email address like name@example.com.' }));
    const outcome = await db.transaction((tx) => requestSignIn(tx, ctx.config.domain, email, req.ip, ctx.now()));
    if (outcome.kind === 'ip-limited') return html(reply.header('retry-after', String(outcome.retryAfterSeconds)), 429, tooManyPage(outcome.retryAfterSeconds));
    if (outcome.kind === 'sent') ctx.onQueued();
    return html(reply, 200, checkMailPage());
  });

  app.get<{ Params: { token: string } }>('/help/s/:token', async (req, reply) => {
    const token = tokenShape(req.params.token);
    const session = token === null ? null : await db.transaction((tx) => redeemSignIn(tx, token, ctx.now()));
    if (session === null) return html(reply, 410, linkNotValidPage());
    reply.header('set-cookie', cookie(SESSION_COOKIE, session.sessionToken, { secure: ctx.secure, maxAgeSeconds: (session.expiresAt - ctx.now()) / 1000 }));
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect('/help/cases', 303);
  });

  app.post('/help/sign-out', async (req, reply) => {
    const token = tokenShape(readCookies(req.headers.cookie).get(SESSION_COOKIE));
    if (!(await ctx.csrfOk(token, req.body))) return html(reply, 403, expiredFormPage());
    await db.transaction((tx) => signOut(tx, token as string));
    reply.header('set-cookie', cookie(SESSION_COOKIE, '', { secure: ctx.secure, maxAgeSeconds: 0 }));
    return html(reply, 200, signedOutPage());
  });
}
