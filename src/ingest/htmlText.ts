// Plain text of the HTML body of a mail that has no text part, by mailparser's own html-to-text
// (run on a one-part text/html message, so no second HTML library is needed).
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type MessageText } from 'mailparser';

/**
 * Plain text of an HTML body (mail without a text part), by mailparser's own html-to-text. Table
 * cells are first set apart with " | " and rows put on lines of their own, which it does not do;
 * embedded images (`cid:`, stored as attachments) are left out instead of showing as "[cid:…]".
 * The patterns are bounded so that crafted HTML cannot make them backtrack for long.
 */
export async function htmlToText(html: string): Promise<string> {
  const tables = html
    .replace(/(<\/t[dh]\s{0,100}>)(\s{0,1000})(<t[dh]\b[^>]{0,1000}>)/gi, '$1$2$3 | ')
    .replace(/<\/tr\s{0,100}>/gi, '<br></tr>')
    .replace(/<img\b[^>]{0,2000}>/gi, (tag) => (/\bsrc\s*=\s*["']?cid:/i.test(tag) ? '' : tag));
  const parser = new MailParser({ skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  let text = '';
  const head = 'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n';
  await pipeline(PassThrough.from([Buffer.from(head + tables, 'utf8')]), parser, async (objects: AsyncIterable<MessageText>) => {
    for await (const data of objects) if (data.type === 'text') text = data.text ?? '';
  });
  return text.replace(/\n{3,}/g, '\n\n');
}
