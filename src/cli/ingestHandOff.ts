// The fast path of `casegate ingest`: when a gateway (`serve`) is running on the same database, the
// message goes to it over its hand-off socket (src/smtp/pipeSocket.ts) and only its answers come
// back, so a pipe delivery loads neither the mail libraries nor the database. Loaded before the CLI
// program: it uses node:net, the settings and the answers' exit rule, nothing else.
//
// It applies only to the plain command line a relay runs; anything else (--json, --help, an option
// it does not know, no --mail-from, a repeated recipient…) goes to the in-process path, which says
// the same as it always did. So does a socket that is absent, refuses the connection or answers
// anything unexpected before the first byte of the message is sent. Once it is sent, a lost
// connection is a temporary failure (75): the relay retries, the duplicate rule catches a copy the
// gateway stored.
import fs from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { loadConfig } from '../config.js';
import { EXIT, exitCodeForAll, type Answer } from '../domain/answers.js';

/** A command line the fast path takes. */
export interface HandOffRequest {
  db?: string;
  config?: string;
  rcpt: string[];
  mailFrom: string;
  clientIp: string | null;
  helo: string | null;
  file?: string;
}

/** How long the gateway has to take the envelope before this process ingests the message itself. */
const ENVELOPE_TIMEOUT_MS = 10_000;
const VALUE_OPTIONS = new Set(['--db', '--config', '--rcpt', '--mail-from', '--client-ip', '--helo']);
/** What a relay's argv gives as an address: printable ASCII or beyond, no spaces or brackets. */
const PLAIN_ADDRESS = /^[^\s<>\p{Cc}]*$/u;

/**
 * The request of `args` (process.argv without node and the script) when it is an `ingest` the fast
 * path takes, else null.
 */
export function handOffRequest(args: readonly string[]): HandOffRequest | null {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (!VALUE_OPTIONS.has(name)) return null;
      const value: string | undefined = eq < 0 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) return null;
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (arg.startsWith('-') && arg !== '-') {
      return null;
    } else positional.push(arg);
  }
  if (positional[0] !== 'ingest' || positional.length > 2) return null;
  const one = (name: string): string | undefined => {
    const all = values.get(name);
    return all === undefined ? undefined : all[all.length - 1];
  };
  const rcpt = values.get('--rcpt') ?? [];
  const mailFrom = senderOf(one('--mail-from'));
  const clientIp = clientIpOf(one('--client-ip'));
  if (rcpt.length === 0 || mailFrom === null || clientIp === undefined) return null;
  if (!rcpt.every((r) => r !== '' && PLAIN_ADDRESS.test(r)) || !PLAIN_ADDRESS.test(mailFrom)) return null;
  // smtp-server keeps one of two equal recipients; pipe mode answers each.
  if (new Set(rcpt.map((r) => r.toLowerCase())).size !== rcpt.length) return null;
  const helo = one('--helo')?.trim() || null;
  return { db: one('--db'), config: one('--config'), rcpt, mailFrom, clientIp, helo, file: positional[1] };
}

/** As src/cli/commands/ingest.ts reads --mail-from; null: not given (the fast path needs one). */
function senderOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  const address = text.replace(/^<(.*)>$/, '$1');
  return address.toUpperCase() === 'MAILER-DAEMON' ? '' : address;
}

/** As src/cli/commands/ingest.ts reads --client-ip; undefined: not an IP (the in-process path says so). */
function clientIpOf(text: string | undefined): string | null | undefined {
  const ip = text?.trim().replace(/^\[(.*)\]$/, '$1').replace(/^ipv6:/i, '') ?? '';
  if (ip === '' || ip.toLowerCase() === 'unknown') return null;
  return net.isIP(ip) === 0 ? undefined : ip;
}

/**
 * Hands the message of `args` to a running gateway. Resolves with the exit code when the gateway
 * took the delivery (answers printed), or null when the in-process path must run instead (nothing
 * of the message was read or sent).
 */
export async function handOff(args: readonly string[]): Promise<number | null> {
  const request = handOffRequest(args);
  if (request === null) return null;
  let socketPath: string | null;
  let timeoutMs: number;
  try {
    const config = loadConfig({ db: request.db, config: request.config });
    socketPath = config.ingestSocket;
    timeoutMs = config.ingestTimeoutSeconds * 1000;
  } catch {
    return null; // the in-process path reports the settings' problem
  }
  if (socketPath === null || !fs.existsSync(socketPath)) return null;
  if (request.file !== undefined && !readable(request.file)) return null;
  const session = await openSession(socketPath, request);
  if (session === null) return null;
  return deliver(session, request, timeoutMs);
}

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** One reply of the server: its code and its text lines. */
interface Reply {
  code: number;
  lines: string[];
}

/** Reads replies from a socket in order. */
function replyReader(socket: net.Socket): { next(): Promise<Reply | null> } {
  let buffered = '';
  const ready: Reply[] = [];
  let lines: string[] = [];
  let waiting: ((r: Reply | null) => void) | null = null;
  let ended = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      lines.push(line.slice(4));
      if (line[3] !== '-') {
        ready.push({ code: Number(line.slice(0, 3)), lines });
        lines = [];
      }
    }
    if (waiting !== null && ready.length > 0) {
      const w = waiting;
      waiting = null;
      w(ready.shift() as Reply);
    }
  });
  const end = (): void => {
    ended = true;
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      w(null);
    }
  };
  socket.on('close', end);
  socket.on('error', end);
  return {
    next: () => (ready.length > 0 ? Promise.resolve(ready.shift() as Reply) : ended ? Promise.resolve(null) : new Promise((resolve) => (waiting = resolve))),
  };
}

interface Session {
  socket: net.Socket;
  replies: { next(): Promise<Reply | null> };
}

/**
 * Connects and goes up to DATA's 354. Null when the gateway is not there or answers anything but
 * yes on the way (the in-process path then runs; nothing of the message was read).
 */
async function openSession(path: string, r: HandOffRequest): Promise<Session | null> {
  const socket = net.connect(path);
  // A gateway that does not get to DATA within this is as good as absent (nothing was sent yet).
  socket.setTimeout(ENVELOPE_TIMEOUT_MS, () => socket.destroy());
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!connected) {
    socket.destroy();
    return null;
  }
  const replies = replyReader(socket);
  const expect = async (codes: readonly number[]): Promise<boolean> => {
    for (const code of codes) if ((await replies.next())?.code !== code) return false;
    return true;
  };
  const lines: Array<[string, number]> = [['LHLO casegate-ingest', 250]];
  if (r.clientIp !== null || r.helo !== null) {
    // A new greeting follows XCLIENT, and a new LHLO.
    lines.push([`XCLIENT ADDR=${r.clientIp === null ? '[UNAVAILABLE]' : xtext(r.clientIp)} HELO=${r.helo === null ? '[UNAVAILABLE]' : xtext(r.helo)}`, 220]);
    lines.push(['LHLO casegate-ingest', 250]);
  }
  lines.push([`MAIL FROM:<${r.mailFrom}>`, 250]);
  for (const rcpt of r.rcpt) lines.push([`RCPT TO:<${rcpt}>`, 250]);
  // Everything up to DATA in one write, before the greeting even: the gateway reads nothing of a
  // connection before it has greeted it (src/smtp/pipeSocket.ts), so one round trip takes the envelope.
  // A refusal anywhere ends the connection without a byte of the message: the gateway keeps nothing.
  socket.write([...lines.map(([line]) => line), 'DATA'].map((line) => `${line}\r\n`).join(''));
  const taken = await expect([220, ...lines.map(([, code]) => code), 354]);
  if (!taken) {
    socket.destroy();
    return null;
  }
  socket.setTimeout(0);
  return { socket, replies };
}

/** RFC 3461 xtext: `+`, `=` and what is not printable ASCII as +XX. */
function xtext(value: string): string {
  return Buffer.from(value, 'utf8').reduce((out, byte) => out + (byte > 32 && byte < 127 && byte !== 0x2b && byte !== 0x3d ? String.fromCharCode(byte) : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`), '');
}

/** Sends the message as DATA (toData), then prints one line per recipient and returns the exit code. */
async function deliver(session: Session, r: HandOffRequest, timeoutMs: number): Promise<number> {
  const { socket, replies } = session;
  const source: Readable = r.file === undefined ? process.stdin : fs.createReadStream(r.file);
  const sent = await send(source, socket, timeoutMs);
  if (sent !== null) {
    socket.destroy();
    process.stderr.write(`casegate: temporary failure, nothing was kept: ${sent}\n`);
    return EXIT.TEMPFAIL;
  }
  // A gateway that never answers is a temporary failure too, after as long as a message may take to come.
  socket.setTimeout(timeoutMs, () => socket.destroy());
  const answers: Answer[] = [];
  for (const rcpt of r.rcpt) {
    const reply = await replies.next();
    if (reply === null) {
      process.stderr.write('casegate: temporary failure: the gateway went away before it answered; the relay tries again\n');
      return EXIT.TEMPFAIL;
    }
    const answer = answerOf(reply);
    answers.push(answer);
    process.stdout.write(`${rcpt}: ${answer.code} ${answer.enhanced} ${answer.text}\n`);
  }
  // The answers are all in: the process need not wait for the goodbye.
  socket.setTimeout(0);
  socket.end('QUIT\r\n');
  socket.unref();
  return exitCodeForAll(answers);
}

/** A recipient's reply: `2.6.0 text [exit 0]`; one without its exit code counts as temporary. */
function answerOf(reply: Reply): Answer {
  const line = reply.lines.join(' ');
  const m = /^(\d\.\d{1,3}\.\d{1,3}) (.*) \[exit (\d+)\]$/.exec(line);
  if (m === null) return { code: reply.code, enhanced: reply.code < 400 ? '2.0.0' : '4.0.0', text: line, sysexit: reply.code < 300 ? EXIT.OK : EXIT.TEMPFAIL };
  return { code: reply.code, enhanced: m[1] as string, text: m[2] as string, sysexit: Number(m[3]) };
}

/**
 * Streams `source` into the socket as DATA: a dot at the start of a line doubled, then the end
 * `.` line. Resolves with null when all is sent, else with why not (read timeout, lost connection).
 */
function send(source: Readable, socket: net.Socket, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const state: DataState = { atLineStart: true, lastCr: false };
    let empty = true;
    let done = false;
    const finish = (why: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why !== null) source.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => finish(`the message was not read within ${timeoutMs / 1000} s`), timeoutMs);
    timer.unref();
    socket.once('close', () => finish('the gateway went away while the message was sent; the relay tries again'));
    source.on('data', (chunk: Buffer) => {
      if (chunk.length === 0) return;
      empty = false;
      if (!socket.write(toData(chunk, state))) {
        source.pause();
        socket.once('drain', () => source.resume());
      }
    });
    source.once('error', (err) => finish(`cannot read the message: ${err.message}`));
    source.once('end', () => {
      // The last line's CRLF is the message's (a message without one gets it, as over SMTP).
      const tail = empty || state.atLineStart ? '.\r\n' : '\r\n.\r\n';
      socket.write(tail, () => finish(null));
    });
  });
}

/** Where the previous chunk of the message ended. */
export interface DataState {
  atLineStart: boolean;
  lastCr: boolean;
}

/**
 * `chunk` as SMTP's DATA carries it: every line ended by CRLF (a bare LF gets its CR, as a relay
 * speaking SMTP does; mail reads the same either way) and every dot that starts a line doubled
 * (RFC 5321 §4.5.2). Linear: one indexOf per line.
 */
export function toData(chunk: Buffer, state: DataState): Buffer {
  if (chunk.length === 0) return chunk;
  const parts: Buffer[] = [];
  let from = 0;
  if (state.atLineStart && chunk[0] === 0x2e) parts.push(DOT);
  for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, nl + 1)) {
    const cr = nl > 0 ? chunk[nl - 1] === 0x0d : state.lastCr;
    if (!cr) {
      parts.push(chunk.subarray(from, nl), CR);
      from = nl;
    }
    if (chunk[nl + 1] === 0x2e) {
      parts.push(chunk.subarray(from, nl + 1), DOT);
      from = nl + 1;
    }
  }
  state.atLineStart = chunk[chunk.length - 1] === 0x0a;
  state.lastCr = chunk[chunk.length - 1] === 0x0d;
  if (parts.length === 0) return chunk;
  parts.push(chunk.subarray(from));
  return Buffer.concat(parts);
}

const CR = Buffer.from('\r');
const DOT = Buffer.from('.');
