// The tables replyText.ts reads quoted history with: attribution lines in many languages,
// original-message separators, the header blocks of quoted messages, forward separators. Data only;
// a test reads them. Every attribution in ATTRIBUTIONS ends with a colon (ASCII or full-width), so
// only short lines ending in one are tried against them (see MAX_ATTRIBUTION_CHARS); the few that
// are a date and a name only (DATE_NAME_ATTRIBUTIONS) count only above a quote or at the end.
//
// Every pattern here meets text from outside, so each runs in time linear in its line (test/domain/
// worstCase.test.ts): no two unbounded parts may compete for the same characters. Two idioms do it:
// `\D*\d.*` is "a digit somewhere" (the old `.*\d.*`, which tried every digit with every split), and
// upToFirst(x) takes everything up to the first `x` once and for all, where a later `x` could not do
// better (whatever follows a later `x` also follows the first).

/** An attribution line, or two or three lines a client wrapped, is at most this long once joined. */
export const MAX_ATTRIBUTION_CHARS = 400;

let groups = 0;

/**
 * Everything up to and including the first `x` (`any` is what may stand before it), taken once:
 * what a lookahead matched is never tried again, so the rest of the pattern does not run again from
 * every later `x`. Each use has a group name of its own, so that the patterns can be joined into one.
 */
function upToFirst(x: string, any = '.*?'): string {
  const name = `upTo${(groups += 1)}`;
  return String.raw`(?=(?<${name}>${any}${x}))\k<${name}>`;
}

/**
 * An address: a local part that starts where a word starts (after a space, `<`, `,`… or at the
 * start), `@`, and a domain of dot-separated labels. Written so that no part of it can be matched
 * two ways: a local part holds no separator and a label no dot.
 */
const ADDR = String.raw`<?(?<![^\s<>@,、])[^\s<>@,、]+@[^\s<>@.]+(?:\.[^\s<>@.]+)+>?`;

/**
 * Attribution lines of mail clients: the line above a quoted message. Tried on the line alone, and
 * joined with the next one or two lines (Apple Mail and Gmail wrap long ones).
 */
export const ATTRIBUTIONS: ReadonlyArray<{ readonly client: string; readonly pattern: RegExp }> = [
  // On Mon, 23 Nov 2026 at 10:02, Ann Archer <ann@acme.example> wrote:
  // On Mon, Nov 23, 2026 at 10:02 AM Ann Archer <ann@acme.example> wrote:
  { client: 'Gmail', pattern: new RegExp(String.raw`^On [A-Z][a-z]{2}, ${upToFirst(String.raw`\d{4},? at \d{1,2}:\d{2}`)}.* wrote:$`) },
  // On 23 Nov 2026, at 10:02, Ann Archer <ann@acme.example> wrote:
  // On Dec 16, 2011, at 12:47 PM, Corey Donohoe <reply@example.com> wrote:   (often over three lines)
  { client: 'Apple Mail', pattern: new RegExp(String.raw`^On .{0,40}\d{4}, at \d{1,2}[:.]\d{2}${upToFirst(', ')}.+ wrote:$`) },
  // On 23/11/2026 10:02, Ann Archer wrote:
  { client: 'Thunderbird', pattern: new RegExp(String.raw`^On \d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},? \d{1,2}:\d{2}${upToFirst(', ')}.+ wrote:$`) },
  // Any other "On <date …> wrote:" line; a date always has a digit.
  { client: 'other (English)', pattern: /^On \D*\d.* wrote:$/ },
  // At 10:05 +0200 on 1 Jan, you wrote:   (the name after the last ", ", at most 80 characters)
  { client: 'Eudora', pattern: /^At \D*\d.*, (?:[^,]|,(?! )){1,80} wrote:$/ },
  // 2016-10-24 15:36 GMT+02:00 Foo Bar <foo@bar.com>:   (also without the address)
  { client: 'Gmail (date first)', pattern: /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(:\d{2})? (GMT|UTC)?[+-]\d{1,2}:?\d{2} .+:$/ },
  // Monday, November 23, 2026, 10:02:00 AM, you wrote:   (The Bat!, whose quotes are "AS>" lines)
  { client: 'The Bat!', pattern: /^[A-Z][a-z]+, \D*\d.*, you wrote:$/ },
  // Вы писали 23 ноября 2026 г., 10:02:00:   Am Montag, 23. November 2026, 10:02:00 schrieben Sie:
  { client: 'The Bat! (Russian, German)', pattern: /^(Вы писали \D*\d.*|Am \D*\d.* schrieben Sie):$/u },
  // * Bob Baker <bob@acme.example> [2026-11-23 10:02 +0100]:   (Mutt, a common attribution)
  { client: 'Mutt', pattern: /^\* [^[\]]{1,200} \[\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}[^[\]]*\]:$/ },
  // пн, 23 нояб. 2026 г. в 10:02, Ann Archer <ann@acme.example>:   2026年11月23日(月) 10:02 Ann <ann@…>:
  { client: 'Gmail (any language)', pattern: new RegExp(String.raw`^\D*\d.*[ ,、]${ADDR}\s?[:：]$`, 'u') },
  // Ann Archer <ann@acme.example> wrote:   (no date, no "On")
  { client: 'name and address', pattern: new RegExp(String.raw`^.{0,100}${ADDR} (wrote|writes|schrieb|a écrit|escribió|ha scritto|escreveu|schreef|skrev|napisał\(a\)|pisze|написал\(а\)|написав\(ла\))\s?:$`, 'u') },
  // Ann Archer/Acme wrote on 23.11.2026 10:02:   (Lotus Notes)
  { client: 'Lotus Notes', pattern: new RegExp(String.raw`^${upToFirst(' wrote on ', '.{1,120}?')}\D*\d.*:$`) },
  // Am 23.11.2026 um 10:02 schrieb Ann Archer <ann@acme.example>:
  { client: 'German', pattern: new RegExp(String.raw`^Am \D*\d${upToFirst(' schrieb ')}.+:$`) },
  // Ann Archer <ann@acme.example> schrieb am 23.11.2026 10:02:
  { client: 'German (name first)', pattern: new RegExp(String.raw`^.${upToFirst(' schrieb am ')}\D*\d.*:$`) },
  // Le lun. 23 nov. 2026 à 10:02, Ann Archer <ann@acme.example> a écrit :
  { client: 'French', pattern: /^Le \D*\d.* a écrit\s?:$/u },
  // El lun, 23 nov 2026 a las 10:02, Ann Archer (<ann@acme.example>) escribió:
  { client: 'Spanish', pattern: /^El \D*\d.* escribió\s?:$/u },
  // Il giorno lun 23 nov 2026 alle ore 10:02 Ann Archer <ann@acme.example> ha scritto:
  { client: 'Italian', pattern: /^Il \D*\d.* ha scritto\s?:$/u },
  // Em seg., 23 de nov. de 2026 às 10:02, Ann Archer <ann@acme.example> escreveu:
  { client: 'Portuguese', pattern: /^(Em|No dia) \D*\d.* escreveu\s?:$/u },
  // Op ma 23 nov. 2026 om 10:02 schreef Ann Archer <ann@acme.example>:
  {
    client: 'Dutch',
    pattern: new RegExp(String.raw`^Op \D*\d(?:${upToFirst(' schreef')}|${upToFirst(' heeft ')}.${upToFirst(' geschreven')}).*:$`, 'u'),
  },
  // W dniu 23.11.2026 o 10:02, Ann Archer pisze:   Dnia … napisał(a):
  { client: 'Polish', pattern: /^(W dniu|Dnia|W dn\.) \D*\d.* (pisze|napisał\(a\)|napisał|napisała)\s?:$/u },
  // 23.11.2026 10:02, Ann Archer пишет:   … написал(а):
  { client: 'Russian', pattern: /^\D*\d.* (написал\(а\)|написал|написала|пишет)\s?:$/u },
  // 23.11.2026 10:02, Ann Archer написав(ла):   … пише:
  { client: 'Ukrainian', pattern: /^\D*\d.* (написав\(ла\)|написав|написала|пише)\s?:$/u },
  // Den 23 nov. 2026 kl. 10:02 skrev Ann Archer <ann@acme.example>:   (Swedish, Norwegian, Danish; "Den" or not)
  { client: 'Scandinavian', pattern: new RegExp(String.raw`^\D*\d${upToFirst(' skrev ')}.+:$`, 'u') },
  // Ann Archer <ann@acme.example> kirjoitti 23.11.2026 kello 10.02:
  { client: 'Finnish', pattern: new RegExp(String.raw`^.${upToFirst(' kirjoitti ')}\D*\d.*:$`, 'u') },
  // Dne 23. 11. 2026 v 10:02 Ann Archer <ann@acme.example> napsal(a):
  { client: 'Czech', pattern: /^Dne \D*\d.* napsal(\(a\)|a)?\s?:$/u },
  // 23 Kas 2026 Pzt, saat 10:02 tarihinde Ann Archer <ann@acme.example> şunu yazdı:
  { client: 'Turkish', pattern: /^\D*\d.* şunu yazdı\s?:$/u },
  // 2026/11/23 10:02、Ann Archer <ann@acme.example>のメール:   2026年11月23日 10:02 Ann Archer wrote:
  { client: 'Japanese', pattern: /^\D*\d.*(のメール|は書きました|が書きました)[:：]$/u },
  // 在 2026年11月23日 10:02，Ann Archer <ann@acme.example> 写道：   Ann <…> 于2026年11月23日周一 10:02写道：
  { client: 'Chinese', pattern: /^\D*\d.*(写道|寫道)[:：]$/u },
];

/**
 * The attributions as one pattern (any of them): one call per candidate line instead of one per
 * client, which is most of the cost on text of many short lines.
 */
export const ANY_ATTRIBUTION = new RegExp(ATTRIBUTIONS.map((a) => `(?:${a.pattern.source})`).join('|'), 'u');

/** Lines that start unquoted history by themselves: they and everything below are cut. */
export const SEPARATORS: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  // -----Original Message-----, -------- Original message --------, *-------- Original Message --------*,
  // and the same in other languages
  {
    name: 'original message separator',
    pattern:
      /^[*_]*-{2,} ?(Original Message|Original message|Ursprüngliche Nachricht|Originalnachricht|Mensaje original|Message d'origine|Message original|Messaggio originale|Mensagem original|Oorspronkelijk bericht|Origineel bericht|Originalmeddelande|Ursprungligt meddelande|Opprinnelig melding|Original meddelelse|Oprindelig meddelelse|Oryginalna wiadomość|Wiadomość oryginalna|Исходное сообщение|Оригинальное сообщение|Вихідне повідомлення|Оригінальне повідомлення|Alkuperäinen viesti|Původní zpráva|元のメッセージ|原始邮件|原始郵件|原始信件) ?-{2,}[*_]*$/iu,
  },
  // ---- On Mon, 23 Nov 2026 10:02:00 +0000 Ann Archer <ann@acme.example> wrote ----   (Zoho)
  { name: 'Zoho attribution', pattern: /^-{2,} ?(On|Am|Le|El|Il|Em|Op) \D*\d.* (wrote|schrieb|a écrit|escribió|ha scritto|escreveu|schreef) ?-{2,}$/u },
];

/** A forward: everything from this line on is the forwarded message, kept as it is. */
export const FORWARD_LINES: readonly RegExp[] = [
  /^-{2,} ?(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato|Mensagem encaminhada|Doorgestuurd bericht|Vidarebefordrat meddelande|Videresendt melding|Videresendt meddelelse|Przekazana wiadomość|Пересылаемое сообщение|Переслане повідомлення|転送されたメッセージ|转发的邮件|Forwarded) ?-{2,}$/iu,
  /^Begin forwarded message:$/,
  /^Anfang der weitergeleiteten Nachricht:$/,
  /^Début du message réexpédié :$/u,
];

/**
 * The header block of a quoted message (Outlook and many webmails, in their languages): a From
 * line, then within `within` lines a date/sent line or a to line, and a subject line.
 */
export const HEADER_BLOCK = {
  from: /^\*?(From|Von|De|Da|Van|Från|Fra|Od|От|Від|Lähettäjä|Od|Kimden|差出人|发件人|寄件者|寄件人|送信者)\s?[:：]\*?\s?\S/u,
  then: [
    /^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Inviato|Data|Verzonden|Skickat|Sendt|Dato|Wysłano|Отправлено|Дата|Надіслано|Lähetetty|Odesláno|Tarih|送信日時|日付|发送时间|發送時間|寄件日期|日期|To|An|À|A|Para|Aan|Till|Til|Do|Кому|Vastaanottaja|Komu|Kime|宛先|收件人|收件者)\s?[:：]\*?(\s|$)/u,
    /^\*?(Subject|Betreff|Objet|Asunto|Oggetto|Assunto|Onderwerp|Ämne|Emne|Temat|Тема|Aihe|Předmět|Konu|件名|主题|主旨)\s?[:：]\*?(\s|$)/u,
  ],
  within: 6,
} as const;

/** Lines right above a history start that belong to it: the rule Outlook on the web draws above its block. */
export const LEAD_IN_LINES: readonly RegExp[] = [/^_{20,}$/, /^-{20,}$/];

/**
 * A quoted line: `>` (any depth), also after the writer's initials as The Bat!, Supercite and
 * FidoNet-style readers quote (`AS> `, `C> `, `СП> `: one to three capital letters).
 */
export const QUOTED_LINE = /^[ \t]*(?:[A-Z\u0410-\u042f\u0401]{1,3})?>/;

/**
 * Attributions that are only a date and a name, without "On", "wrote" or a colon (older Gmail in some
 * languages, and text parts that lost the address): `2016-03-03 17:21 GMT+01:00 Name`, `2013/7/20
 * Name via Forum <info@forum.example>`. They need a time or an address, and count only above a
 * quote or at the very end: a date and a name above unquoted text is the writer's own.
 */
export const DATE_NAME_ATTRIBUTIONS: readonly RegExp[] = [
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2},? \d{1,2}:\d{2}(?::\d{2})?(?: (?:GMT|UTC)?[+-]\d{1,2}:?\d{2})? [^\s<>@\d][^<>@]{0,100}(?: <[^\s<>@]+@[^\s<>@]+>)?$/u,
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2} [^\s<>@\d][^<>@]{0,100} <[^\s<>@]+@[^\s<>@]+>$/u,
];

/** A line of a `|`-quoted block (some webmails); only counted as a quote right under an attribution. */
export const BAR_QUOTED_LINE = /^[ \t]*\|/;
