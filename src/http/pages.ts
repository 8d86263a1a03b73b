// The HTML of Web-to-Case (SPEC §8): the form (labels, errors tied to their fields with
// aria-describedby, a summary that links to them, no JavaScript), the answer page and the limit
// page. Every value is escaped.

export const FIELDS = ['name', 'email', 'subject', 'description', 'attachments'] as const;
export type Field = (typeof FIELDS)[number];
/** Messages by field; `form` is about the form as a whole (sent from elsewhere, too many parts). */
export type FieldErrors = Partial<Record<Field | 'form', string>>;
export type FormValues = Partial<Record<'name' | 'email' | 'subject' | 'description', string>>;

/** The honeypot: a field people do not see and bots fill in. */
export const HONEYPOT = 'website';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;font-weight:600;margin-top:1rem}input,textarea{width:100%;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:4px;box-sizing:border-box}
input[type=file]{border:none;padding:.25rem 0}[aria-invalid=true]{border:2px solid #b00020}.error{color:#b00020;margin:.25rem 0 0}
.hint{color:#555;margin:.25rem 0 0;font-size:.9rem}.summary{border:2px solid #b00020;padding:.5rem 1rem;border-radius:4px}
button{margin-top:1.5rem;padding:.6rem 1.4rem;font:inherit;font-weight:600;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}`;

function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${main}
</main></body>
</html>
`;
}

const LABELS: Record<Field, string> = { name: 'Your name', email: 'Your email', subject: 'Subject', description: 'Description', attachments: 'Attachments (optional)' };

function field(name: Exclude<Field, 'attachments'>, values: FormValues, errors: FieldErrors, required: boolean): string {
  const error = errors[name];
  const value = escapeHtml(values[name] ?? '');
  const describedBy = error ? ` aria-invalid="true" aria-describedby="${name}-error"` : '';
  const req = required ? ' required aria-required="true"' : '';
  const control =
    name === 'description'
      ? `<textarea id="${name}" name="${name}" rows="8"${req}${describedBy}>${value}</textarea>`
      : `<input id="${name}" name="${name}" type="${name === 'email' ? 'email' : 'text'}" value="${value}"${name === 'email' ? ' autocomplete="email"' : name === 'name' ? ' autocomplete="name"' : ''}${req}${describedBy}>`;
  return `<label for="${name}">${LABELS[name]}${required ? '' : ' (optional)'}</label>
${control}${error ? `\n<p class="error" id="${name}-error">${escapeHtml(error)}</p>` : ''}`;
}

export function formPage(values: FormValues = {}, errors: FieldErrors = {}, maxBytes: number): string {
  const listed = FIELDS.filter((f) => errors[f] !== undefined);
  const whole = errors.form === undefined ? '' : `<p id="form-error">${escapeHtml(errors.form)}</p>`;
  const summary =
    listed.length === 0 && whole === ''
      ? ''
      : `<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">${listed.length === 0 ? 'Your request was not sent' : `Please correct ${listed.length === 1 ? 'this field' : `these ${listed.length} fields`}`}</h2>${whole}${
          listed.length === 0 ? '' : `<ul>${listed.map((f) => `<li><a href="#${f}">${LABELS[f]}: ${escapeHtml(errors[f] as string)}</a></li>`).join('')}</ul>`
        }</div>\n`;
  const fileError = errors.attachments;
  return page(
    summary !== '' ? 'Error: Contact support' : 'Contact support',
    `<h1>Contact support</h1>
<p>Tell us what happened and we will open a case. Fields marked optional may be left empty.</p>
${summary}<form method="post" action="/web-to-case" enctype="multipart/form-data" novalidate>
${field('name', values, errors, true)}
${field('email', values, errors, true)}
${field('subject', values, errors, true)}
${field('description', values, errors, false)}
<label for="attachments">${LABELS.attachments}</label>
<input id="attachments" name="attachments" type="file" multiple aria-describedby="attachments-hint${fileError ? ' attachments-error' : ''}"${fileError ? ' aria-invalid="true"' : ''}>
<p class="hint" id="attachments-hint">Up to ${formatBytes(maxBytes)} in all.</p>${fileError ? `\n<p class="error" id="attachments-error">${escapeHtml(fileError)}</p>` : ''}
<div class="trap" aria-hidden="true"><label for="${HONEYPOT}">Leave this empty</label><input id="${HONEYPOT}" name="${HONEYPOT}" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send</button>
</form>`,
  );
}

export function answerPage(caseNumber: string, email: string): string {
  return page(
    `Case ${caseNumber} opened`,
    `<h1>Thank you</h1>
<p role="status">We opened case <strong id="case-number">${escapeHtml(caseNumber)}</strong> for you. A confirmation goes to ${escapeHtml(email)}; reply to it to add to the case.</p>
<p><a href="/web-to-case">Send another request</a></p>`,
  );
}

/** What a filled honeypot gets: a thank-you that names no case, so a bot learns nothing. */
export function receivedPage(): string {
  return page('Request received', `<h1>Thank you</h1>\n<p role="status">We received your request.</p>`);
}

export function limitPage(reason: 'daily' | 'ip', retryAfterSeconds: number): string {
  const why =
    reason === 'daily'
      ? 'We have received as many requests through this form today as it takes in one day.'
      : 'We have received many requests from your network in the last hour.';
  return page(
    'Too many requests',
    `<h1>Too many requests</h1>
<p role="alert">${why} Please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes, or write to us by email.</p>`,
  );
}

/** The form could not be taken because the database is out of reach: nothing was saved, come back soon. */
export function unavailablePage(retryAfterSeconds: number): string {
  return page(
    'Please try again in a moment',
    `<h1>Please try again in a moment</h1>
<p role="alert">We cannot take requests right now, and nothing of yours was saved. Please go back and send the form again ${retryAfterSeconds <= 60 ? 'in a minute' : `in ${Math.ceil(retryAfterSeconds / 60)} minutes`}, or write to us by email.</p>`,
  );
}

export function notFoundPage(): string {
  return page('Not found', `<h1>Not found</h1>\n<p>There is nothing here. The support form is at <a href="/web-to-case">/web-to-case</a>.</p>`);
}

function formatBytes(n: number): string {
  const mib = n / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
