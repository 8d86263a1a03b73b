// The HTML of the Help portal (SPEC §11), in the style of Web-to-Case: plain, accessible, no
// JavaScript. Every form posts a CSRF token (field `csrf`); every value is escaped.
import { escapeHtml, STYLE } from '../pages.js';
import { MAX_COLLABORATORS } from '../../domain/collaborators.js';
import { SIGN_IN_MS } from '../../domain/portal.js';
import type { CaseRow } from '../../db/cases.js';
import type { PortalCase } from '../../views/portal.js';

const PORTAL_STYLE = `body{max-width:52rem}header{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap;border-bottom:1px solid #ddd;padding-bottom:.5rem}
header form{display:inline}header button,.inline button{margin:0;padding:.3rem .8rem;font-weight:400}.secondary{background:#fff;color:#0b57d0;border:1px solid #0b57d0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
.comment{border-left:3px solid #ddd;padding-left:.8rem;margin:1rem 0}.comment .who{color:#555;margin:0}.comment .body{white-space:pre-wrap}
.notice{border:2px solid #137333;padding:.5rem 1rem;border-radius:4px}.muted{color:#555}.tag{font-size:.85rem;padding:.05rem .4rem;border-radius:3px;background:#e6f4ea;color:#137333}
.tag.no{background:#fce8e6;color:#a50e0e}section{margin-top:2rem}.row{display:flex;gap:.5rem;align-items:flex-end}.row input{flex:1}.row button{margin-top:0}`;

export interface Layout {
  /** The signed-in person, with the CSRF token of their session (for the sign-out form). */
  signedIn?: { email: string; csrf: string };
}

function page(title: string, main: string, layout: Layout = {}): string {
  const who = layout.signedIn
    ? `<nav aria-label="Account"><span class="muted">Signed in as ${escapeHtml(layout.signedIn.email)}</span>
<form method="post" action="/help/sign-out"><input type="hidden" name="csrf" value="${escapeHtml(layout.signedIn.csrf)}"><button type="submit" class="secondary">Sign out</button></form></nav>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Help</title><style>${STYLE}
${PORTAL_STYLE}</style></head>
<body><header><a href="/help/cases"><strong>Help</strong></a>${who}</header>
<main>
${main}
</main></body>
</html>
`;
}

const csrfField = (csrf: string): string => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;

export function signInPage(csrf: string, opts: { email?: string; error?: string } = {}): string {
  const err = opts.error;
  return page(
    err ? 'Error: Sign in' : 'Sign in',
    `<h1>Sign in to see your cases</h1>
<p>Enter the email address you write to us from. We will send you a link to sign in; there is no password.</p>
${err ? `<div class="summary" role="alert"><p><a href="#email">${escapeHtml(err)}</a></p></div>\n` : ''}<form method="post" action="/help/sign-in" novalidate>
${csrfField(csrf)}
<label for="email">Your email</label>
<input id="email" name="email" type="email" autocomplete="email" required aria-required="true" value="${escapeHtml(opts.email ?? '')}"${err ? ' aria-invalid="true" aria-describedby="email-error"' : ''}>
${err ? `<p class="error" id="email-error">${escapeHtml(err)}</p>\n` : ''}<button type="submit">Send me a sign-in link</button>
</form>`,
  );
}

/** The same page whether or not the address is known. */
export function checkMailPage(): string {
  return page(
    'Check your email',
    `<h1>Check your email</h1>
<p role="status">If this address has cases with us, we sent a link to it. The link works once, for ${SIGN_IN_MS / 60_000} minutes.</p>
<p>Nothing arrived? Look in your spam folder, or <a href="/help">ask for a new link</a>.</p>`,
  );
}

export function linkNotValidPage(): string {
  return page(
    'Link not valid',
    `<h1>This sign-in link does not work any more</h1>
<p role="alert">A sign-in link works once, for ${SIGN_IN_MS / 60_000} minutes. <a href="/help">Ask for a new link</a>.</p>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', `<h1>You are signed out</h1>\n<p role="status">Thank you. <a href="/help">Sign in again</a>.</p>`);
}

export function tooManyPage(retryAfterSeconds: number): string {
  return page(
    'Too many requests',
    `<h1>Too many requests</h1>\n<p role="alert">We have received many sign-in requests from your network. Please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.</p>`,
  );
}

/** A request the portal cannot take (too large, not a form, our failure): what happened and what to do. */
export function problemPage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(text)} <a href="/help">Back to the Help portal</a>.</p>`);
}

export function expiredFormPage(): string {
  return page(
    'Form expired',
    `<h1>This form has expired</h1>\n<p role="alert">The page was open too long, or was sent from elsewhere, so nothing was done. <a href="/help">Open the Help portal again</a> and send it from there.</p>`,
  );
}

/** What a collaborator, anyone of another account, or an unknown number gets (the seed's words). */
export function insufficientPrivilegesPage(layout: Layout): string {
  return page(
    'Insufficient privileges',
    `<h1>Insufficient privileges</h1>
<p role="alert">You do not have the level of access necessary to see this case. Cases are shown to their contact and to the help admins of the contact's organisation; collaborators follow a case by email.</p>
<p><a href="/help/cases">Back to your cases</a></p>`,
    layout,
  );
}

export function fileNotFoundPage(caseNumber: string, layout: Layout): string {
  return page('File not found', `<h1>File not found</h1>\n<p role="alert">This case has no such file. <a href="/help/cases/${escapeHtml(caseNumber)}">Back to the case</a></p>`, layout);
}

const date = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function casesPage(cases: readonly CaseRow[], helpAdmin: boolean, layout: Layout): string {
  const rows = cases
    .map((c) => `<tr><td><a href="/help/cases/${escapeHtml(c.number)}">${escapeHtml(c.number)}</a></td><td>${escapeHtml(c.subject)}</td><td>${escapeHtml(c.status)}</td><td>${date(c.updatedAt)}</td></tr>`)
    .join('\n');
  return page(
    'My cases',
    `<h1>${helpAdmin ? 'Cases of your organisation' : 'My cases'}</h1>
${
  cases.length === 0
    ? '<p>You have no cases with us yet. Write to our support address, or use the <a href="/web-to-case">support form</a>.</p>'
    : `<table><caption class="muted">${cases.length} case${cases.length === 1 ? '' : 's'}, most recently updated first</caption>
<thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Updated</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}`,
    layout,
  );
}

export interface CasePageState {
  csrf: string;
  notice?: string;
  /** A refusal, said in words, and which form it belongs to. */
  error?: { form: 'collaborators' | 'comment'; message: string };
  /** What was typed, kept when refused. */
  typed?: { email?: string; body?: string };
  search?: { q: string; results: ReadonlyArray<{ name: string; email: string }> };
}

const sizeOf = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1024 * 1024)).toFixed(1)} MB`);

export function casePage(c: PortalCase, state: CasePageState, layout: Layout): string {
  const base = `/help/cases/${escapeHtml(c.number)}`;
  const comments = c.comments
    .map(
      (m) => `<article class="comment" aria-label="Comment by ${escapeHtml(m.author)}"><p class="who">${escapeHtml(m.author)} · ${date(m.createdAt)}</p><div class="body">${escapeHtml(m.body)}</div>${
        m.attachments.length === 0
          ? ''
          : `<ul>${m.attachments.map((a) => `<li><a href="${base}/attachments/${a.id}" download>${escapeHtml(a.filename)}</a> <span class="muted">(${escapeHtml(a.contentType)}, ${sizeOf(a.size)})</span></li>`).join('')}</ul>`
      }</article>`,
    )
    .join('\n');
  const err = (form: 'collaborators' | 'comment'): string =>
    state.error?.form === form ? `<p class="error" role="alert" id="${form}-error">${escapeHtml(state.error.message)}</p>\n` : '';
  const collaborators = c.collaborators
    .map(
      (p) => `<tr><td>${escapeHtml(p.email)}</td><td>${
        p.activeContact ? '<span class="tag">Active contact</span>' : '<span class="tag no">This person is not an active contact of your organisation</span>'
      }</td><td><form method="post" action="${base}/collaborators/remove" class="inline">${csrfField(state.csrf)}<input type="hidden" name="email" value="${escapeHtml(p.email)}"><button type="submit" class="secondary" aria-label="Remove ${escapeHtml(p.email)}">Remove</button></form></td></tr>`,
    )
    .join('\n');
  const results = state.search
    ? state.search.results.length === 0
      ? `<p role="status">No contact of your organisation matches “${escapeHtml(state.search.q)}”. You can still add any email address below.</p>`
      : `<ul aria-label="Contacts found">${state.search.results
          .map(
            (r) => `<li><form method="post" action="${base}/collaborators" class="inline">${csrfField(state.csrf)}<input type="hidden" name="email" value="${escapeHtml(r.email)}">${escapeHtml(r.name)} &lt;${escapeHtml(r.email)}&gt; <button type="submit" class="secondary" aria-label="Add ${escapeHtml(r.email)}">Add</button></form></li>`,
          )
          .join('')}</ul>`
    : '';
  return page(
    `Case ${c.number}`,
    `<p><a href="/help/cases">← My cases</a></p>
<h1>Case ${escapeHtml(c.number)}: ${escapeHtml(c.subject)}</h1>
<p>Status: <strong id="status">${escapeHtml(c.status)}</strong> · Contact: ${escapeHtml(c.contact ?? 'none')}</p>
${state.notice ? `<p class="notice" role="status">${escapeHtml(state.notice)}</p>\n` : ''}${c.description.trim() ? `<div class="comment"><p class="who">Description</p><div class="body">${escapeHtml(c.description)}</div></div>\n` : ''}
<section aria-labelledby="details-title">
<h2 id="details-title">Details</h2>
<h3 id="collaborators-title">Case collaborators</h3>
<p class="muted">Collaborators get every update of this case by email and may answer it. They do not see the case here. At most ${MAX_COLLABORATORS}.</p>
${err('collaborators')}${
  c.collaborators.length === 0
    ? '<p>No collaborators yet.</p>'
    : `<table aria-labelledby="collaborators-title"><thead><tr><th scope="col">Email</th><th scope="col">Organisation</th><th scope="col"><span class="trap">Action</span></th></tr></thead><tbody>
${collaborators}
</tbody></table>`
}
<form method="get" action="${base}/contacts" role="search">
<label for="q">Search contacts of your organisation by name or email</label>
<div class="row"><input id="q" name="q" type="search" value="${escapeHtml(state.search?.q ?? '')}"><button type="submit" class="secondary">Search</button></div>
</form>
${results}
<form method="post" action="${base}/collaborators" novalidate>
${csrfField(state.csrf)}
<label for="collaborator-email">Or add any email address</label>
<div class="row"><input id="collaborator-email" name="email" type="email" value="${escapeHtml(state.typed?.email ?? '')}"${state.error?.form === 'collaborators' ? ' aria-invalid="true" aria-describedby="collaborators-error"' : ''}><button type="submit">Add collaborator</button></div>
</form>
</section>
<section aria-labelledby="comments-title">
<h2 id="comments-title">Comments</h2>
${comments === '' ? '<p>No comments yet.</p>' : comments}
<form method="post" action="${base}/comments" novalidate>
${csrfField(state.csrf)}
<label for="body">Add a comment</label>
${err('comment')}<textarea id="body" name="body" rows="6"${state.error?.form === 'comment' ? ' aria-invalid="true" aria-describedby="comment-error"' : ''}>${escapeHtml(state.typed?.body ?? '')}</textarea>
<p class="hint">Everyone on the case gets it by email, as if you had answered by email.</p>
<button type="submit">Add comment</button>
</form>
</section>`,
    layout,
  );
}

export function unsubscribeConfirmPage(token: string): string {
  return page(
    'Stop these emails',
    `<h1>Stop the emails of this case?</h1>
<p>You get every update of a case as its collaborator. If you stop them, you are removed from the case's collaborators and the case contact is told.</p>
<form method="post" action="/help/unsubscribe/${escapeHtml(token)}"><button type="submit">Stop these emails</button></form>`,
  );
}

export function unsubscribedPage(caseNumber: string, email: string): string {
  return page(
    'Emails stopped',
    `<h1>Done</h1>\n<p role="status">${escapeHtml(email)} no longer gets the emails of case ${escapeHtml(caseNumber)}, and the case contact has been told. They can add you again if needed.</p>`,
  );
}

export function unsubscribeNotValidPage(): string {
  return page(
    'Link not valid',
    `<h1>This link does not work</h1>\n<p role="alert">Either you no longer get the emails of this case (you may have stopped them already), or the link was not copied whole.</p>`,
  );
}
