// The text of an HTML-only body (src/ingest/htmlText.ts): what it keeps of the markup mail clients
// write, what it leaves out, and that no markup makes it fail.
import { describe, expect, it } from 'vitest';
import { extractReply } from '../../src/domain/replyText.js';
import { decodeReferences } from '../../src/ingest/htmlEntities.js';
import { HR_LINE, htmlToText } from '../../src/ingest/htmlText.js';

describe('paragraphs and line breaks', () => {
  it('sets paragraphs apart by one blank line and keeps <br> line breaks', () => {
    expect(htmlToText('<p>Hello support,</p><p>the printer is jammed.<br>Tray 2.</p>')).toBe('Hello support,\n\nthe printer is jammed.\nTray 2.');
  });

  it('reads runs of white space as one space, and leaves none at the start or end of a line', () => {
    expect(htmlToText('<div>\n   Floor   3,\n\ttray 2  </div>\n<div> again </div>')).toBe('Floor 3, tray 2\nagain');
  });

  it('keeps at most one blank line, however many breaks and empty blocks', () => {
    expect(htmlToText('a<br><br><br><br>b<p></p><p></p><div><br></div>c')).toBe('a\n\nb\n\nc');
  });

  it('reads a Gmail-style <div><br></div> as one blank line', () => {
    expect(htmlToText('<div>Hi Sam,</div><div><br></div><div>it works again.</div>')).toBe('Hi Sam,\n\nit works again.');
  });

  it('keeps the spaces and lines of <pre>, without the line break right after <pre>', () => {
    expect(htmlToText('<p>Log:</p><pre>\n  13.A2.D3  tray 2\n  13.B2.D1  tray 3</pre>')).toBe('Log:\n\n  13.A2.D3  tray 2\n  13.B2.D1  tray 3');
  });

  it('draws <hr> as a rule of dashes on a line of its own', () => {
    expect(htmlToText('above<hr>below')).toBe(`above\n\n${HR_LINE}\n\nbelow`);
  });
});

describe('lists, quotes and tables', () => {
  it('puts list items on lines of their own, with " * " or their number, nested lists indented', () => {
    expect(htmlToText('<p>Printers:</p><ul><li>PR-0317</li><li>PR-0402<ol><li>tray 1</li><li>tray 2</li></ol></li></ul><p>Thanks</p>')).toBe(
      'Printers:\n\n * PR-0317\n * PR-0402\n    1. tray 1\n    2. tray 2\n\nThanks',
    );
  });

  it('writes a blockquote as "> " lines, nested ones as "> > "', () => {
    expect(htmlToText('New text<blockquote>old<br>older<blockquote>oldest</blockquote></blockquote>')).toBe('New text\n\n> old\n> older\n>\n> > oldest');
  });

  it('puts table rows on lines of their own, cells set apart by " | "', () => {
    expect(htmlToText('<table><tr><th>Printer</th><th>Floor</th></tr><tr><td>PR-0317</td><td>3</td></tr></table>')).toBe('Printer | Floor\nPR-0317 | 3');
  });
});

describe('links, images and what leaves nothing', () => {
  it('writes a link target in brackets after its text, unless the text is the target', () => {
    expect(htmlToText('See <a href="https://acme.example/forms">the form</a>.')).toBe('See the form [https://acme.example/forms].');
    expect(htmlToText('<a href="https://acme.example/">https://acme.example</a>')).toBe('https://acme.example');
    expect(htmlToText('<a href="mailto:ann@acme.example">ann@acme.example</a>')).toBe('ann@acme.example');
  });

  it('leaves out targets within the page, scripts, and links without text', () => {
    expect(htmlToText('<a href="#top">top</a> <a href="javascript:void(0)">x</a> <a href="https://acme.example"></a>')).toBe('top x');
  });

  it("writes an image's alt text, and nothing for an embedded cid: image", () => {
    expect(htmlToText('<p>Logo: <img src="https://acme.example/logo.png" alt="Acme"></p><img src="cid:image001.png@01DA" alt="photo">')).toBe('Logo: Acme');
  });

  it('leaves out scripts, styles, the title, comments and Outlook conditional comments', () => {
    const html =
      '<html><head><title>Re: printer</title><style>p { color: red }</style></head><body>' +
      '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->' +
      '<script>alert(1)</script><p>Fixed<o:p></o:p></p><!-- a comment --></body></html>';
    expect(htmlToText(html)).toBe('Fixed');
  });
});

describe('character references', () => {
  it('decodes named, decimal and hexadecimal references, and the windows-1252 range as HTML does', () => {
    expect(decodeReferences('Caf&eacute; &amp; &lt;b&gt; &#8211; &#x20AC;5 &#150; &quot;x&quot;')).toBe('Café & <b> – €5 – "x"');
  });

  it('leaves unknown names and bare ampersands as written; a few names work without ";"', () => {
    expect(decodeReferences('AT&T &unknown; &copy 2026 &eacute &amp')).toBe('AT&T &unknown; © 2026 &eacute &');
  });

  it('reads a reference to no character (0, a surrogate, past U+10FFFF) as U+FFFD', () => {
    expect(decodeReferences('&#0;&#xD800;&#99999999999;')).toBe('\ufffd\ufffd\ufffd');
  });

  it('decodes references in text and in link targets', () => {
    expect(htmlToText('<a href="https://acme.example/?a=1&amp;b=2">form&nbsp;A</a>')).toBe('form\u00a0A [https://acme.example/?a=1&b=2]');
  });
});

describe('no markup makes it fail', () => {
  it('reads 100,000 nested elements of every kind', () => {
    for (const open of ['<div>', '<blockquote>', '<ul><li>', '<table><tr><td>', '<a href="x">', '<span>']) {
      expect(htmlToText(`${open.repeat(100_000)}hello`)).toMatch(/hello$/);
    }
  });

  it('ignores end tags without a start, reads "<" that starts no tag as text, and drops a tag cut off by the end', () => {
    expect(htmlToText('</p></div></blockquote>1 < 2 <3 a<b')).toBe('1 < 2 <3 a');
  });

  it('keeps quotes in attributes together: a ">" inside a quoted value ends no tag', () => {
    expect(htmlToText('<a title="1 > 0" href="https://acme.example/x">x</a>')).toBe('x [https://acme.example/x]');
  });

  it('stops reading once the text is longer than maxChars', () => {
    const text = htmlToText('<p>still jammed</p>'.repeat(100_000), 1000);
    expect(text).toHaveLength(1000);
    expect(text.startsWith('still jammed\n\nstill jammed')).toBe(true);
  });
});

describe('HTML-only replies: the quoted history is cut like in a text reply', () => {
  it('a Gmail reply: the attribution and the blockquote go', () => {
    const html =
      '<div dir="ltr">Tray 2 works again, thanks!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">' +
      'On Mon, 23 Nov 2026 at 10:02, Acme Support &lt;<a href="mailto:support@acme-support.example">support@acme-support.example</a>&gt; wrote:<br></div>' +
      '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Hi Ann,<br>could you try tray 2?</blockquote></div>';
    expect(extractReply(htmlToText(html))).toEqual({ body: 'Tray 2 works again, thanks!', quoted: true });
  });

  it('an Outlook on the web reply: the rule and the From/Sent/To/Subject block go', () => {
    const html =
      '<div>It works now.</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">' +
      '<b>From:</b> Acme Support &lt;support@acme-support.example&gt;<br><b>Sent:</b> Monday, November 23, 2026 10:02 AM<br>' +
      '<b>To:</b> Ann Archer &lt;ann@acme.example&gt;<br><b>Subject:</b> [Case 00001001] Printer</div><div>Hi Ann, …</div>';
    expect(extractReply(htmlToText(html))).toEqual({ body: 'It works now.', quoted: true });
  });
});
