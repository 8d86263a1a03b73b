// The content type casegate keeps, and sends on, for an attachment whose type a web form declared.
// Only a plain leaf type (`image/png`, `application/pdf`, `text/plain`…) is kept as declared: a
// `message/rfc822` part would show a forged message inline inside our own notification, a
// `multipart/*` part makes the notification an invalid MIME tree, and anything malformed means
// nothing. Those become `application/octet-stream`: the bytes are kept, shown as a file. And the
// name a form declared, as a file name only. Pure.

export const OPAQUE_TYPE = 'application/octet-stream';

/** Top-level types whose parts are leaves (RFC 2046 discrete types, and font/model of RFC 8081/9695). */
const LEAF = /^(application|audio|font|image|model|text|video)\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The declared type, lower case and without parameters, when it is a plain leaf type; else application/octet-stream. */
export function attachmentType(declared: string | undefined): string {
  const type = (declared ?? '').slice(0, 256).split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return LEAF.test(type) ? type : OPAQUE_TYPE;
}

/**
 * The name to keep for an uploaded file: its last path segment (the form parser already drops
 * folders), without control characters, at most 255 code points; `attachment` when nothing is left.
 */
export function attachmentName(declared: string | undefined): string {
  let name = '';
  const given = (declared ?? '').slice(0, 1024);
  for (let i = 0; i < given.length; i++) {
    const code = given.charCodeAt(i);
    const ch = given[i] as string;
    if (ch === '/' || ch === '\\') name = '';
    else if (code > 0x1f && !(code >= 0x7f && code <= 0x9f)) name += ch;
  }
  name = [...name.trim()].slice(0, 255).join('');
  return name === '' || name === '.' || name === '..' ? 'attachment' : name;
}
