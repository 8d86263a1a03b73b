// Sender authentication of `serve` on a thread of its own (CASEGATE_AUTH_THREAD, on by default):
// mailauth reads every message a second time (DKIM's canonical body, the headers for DMARC and ARC)
// and makes SPF's and DMARC's lookups, work that shares nothing with the parser or the database.
// On the main thread it was some 18 % of each message's CPU there (issue 19); here it runs on the
// other core while the main thread parses, commits and answers.
//
// The message's bytes go to the thread as the parser reads them (gathered up to FLUSH_BYTES, moved,
// not copied again), so a large message is never held whole; the thread runs auth.ts's own check
// and sends back the result. Nothing changes in what is decided: the same code, the same deadline.
// When the thread dies, every check it had not answered fails (the message is answered 451 and sent
// again) and the next message starts a new thread. A check the thread does not answer within its
// deadline and a second means its event loop is stuck (a message that makes mailauth spin): that
// message gets "no result", as a late check does in-process, the thread is ended, and the checks it
// still held fail as above.
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { SenderAuth } from '../domain/senderAuth.js';
import { AUTH_DEADLINE_MS, noResult, withDeadline, type AuthRun, type AuthSettings } from './auth.js';
import type { Envelope } from './envelope.js';
import { batcher, type Batcher } from './batcher.js';
import { threadEntry } from '../threadEntry.js';

/** What the main thread sends: a message's bytes so far (the first piece carries its envelope), or "drop it". */
export type ToAuthThread =
  | { type: 'data'; id: number; start: Pick<Envelope, 'mailFrom' | 'client'> | null; bytes: ArrayBuffer; end: boolean }
  | { type: 'abort'; id: number };

/** What the thread answers: one result per message it was sent to its end. */
export type FromAuthThread = { type: 'result'; id: number; result: SenderAuth };

export interface AuthThread {
  /** As auth.ts's startSenderAuth, on the thread; null when CASEGATE_SENDER_AUTH is off. */
  start(envelope: Envelope, source: Readable): AuthRun | null;
  /** Ends the thread; checks it had not answered fail. */
  stop(): Promise<void>;
}

export interface AuthThreadOptions {
  /** The thread's entry script (tests: one that dies or hangs); authWorker.js by default. */
  entry?: string;
  /** How long a check may go unanswered after its message was read (AUTH_DEADLINE_MS and a second by default). */
  deadlineMs?: number;
}

/** Bytes gathered before they are sent on: a 4 KiB reply goes in one piece, a large message in pieces. */
export const FLUSH_BYTES = 64 * 1024;

/** The thread's young generation, MiB: its garbage is each message's short-lived parse (as the store thread's). */
const YOUNG_GENERATION_MB = 4;

interface Pending {
  /** The thread checking it. */
  thread: Worker;
  resolve: (result: SenderAuth) => void;
  reject: (err: Error) => void;
}

export function createAuthThread(settings: AuthSettings, options: AuthThreadOptions = {}): AuthThread {
  const deadlineMs = options.deadlineMs ?? AUTH_DEADLINE_MS + 1000;
  let worker: Worker | null = null;
  let stopping = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  /** Threads whose checks were failed (ended, or stuck and being ended). */
  const retired = new WeakSet<Worker>();
  /** What is queued for each thread. */
  const outOf = new WeakMap<Worker, Batcher<ToAuthThread>>();

  const spawn = (): Worker => {
    const plain: AuthSettings = {
      senderAuth: settings.senderAuth,
      dnsServers: settings.dnsServers === null ? null : [...settings.dnsServers],
      trustedAuthservId: settings.trustedAuthservId,
      domain: settings.domain,
    };
    const w = new Worker(options.entry ?? threadEntry(import.meta.url, 'authWorker.js'), {
      workerData: { settings: plain },
      stdout: false,
      stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    // The sockets keep serve running; the thread alone must not keep a process alive.
    w.unref();
    outOf.set(w, batcher((items, transfer) => w.postMessage(items, transfer)));
    w.on('message', (replies: FromAuthThread[]) => {
      for (const reply of replies) {
        const p = pending.get(reply.id);
        pending.delete(reply.id);
        p?.resolve(reply.result);
      }
    });
    w.once('error', (err) => retire(w, err));
    w.once('exit', (code) => retire(w, new Error(`the sender authentication thread stopped (exit code ${code})`)));
    worker = w;
    return w;
  };

  /**
   * A thread is done with (it ended, or it is stuck and is being ended): every check it had not
   * answered fails, and the next message starts another. Said once per thread.
   */
  const retire = (w: Worker, err: Error): void => {
    if (worker === w) worker = null;
    const failed = new Error(`${err.message}; the message was not taken, send it again`, { cause: err });
    let held = 0;
    for (const [id, p] of pending) {
      if (p.thread !== w) continue;
      pending.delete(id);
      p.reject(failed);
      held += 1;
    }
    if (!stopping && !retired.has(w)) console.error(`casegate: ${err.message}; the ${held} message(s) it was checking were answered 451, and the next ones start it again`);
    retired.add(w);
  };

  return {
    start(envelope: Envelope, source: Readable): AuthRun | null {
      if (settings.senderAuth === 'off') return null;
      stopping = false;
      const w = worker ?? spawn();
      const out = outOf.get(w) as Batcher<ToAuthThread>;
      const id = nextId++;
      const result = new Promise<SenderAuth>((resolve, reject) => pending.set(id, { thread: w, resolve, reject }));
      // A thread that dies while the parser still reads: the rejection is taken by result().
      result.catch(() => undefined);
      let parts: Buffer[] = [];
      let size = 0;
      let first = true;
      let dropped = false;
      const send = (end: boolean): void => {
        if (dropped) return;
        // One buffer of its own, moved to the thread (a chunk is a view of a larger read buffer,
        // and cloning a view copies the whole buffer under it).
        const bytes = new ArrayBuffer(size);
        const view = new Uint8Array(bytes);
        let at = 0;
        for (const part of parts) {
          view.set(part, at);
          at += part.length;
        }
        parts = [];
        size = 0;
        const message: ToAuthThread = { type: 'data', id, start: first ? { mailFrom: envelope.mailFrom, client: envelope.client } : null, bytes, end };
        first = false;
        out.send(message, bytes);
      };
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          parts.push(chunk);
          size += chunk.length;
          if (size >= FLUSH_BYTES) send(false);
          callback();
        },
        final(callback) {
          send(true);
          callback();
        },
      });
      source.pipe(sink);
      const abort = (): void => {
        if (dropped) return;
        dropped = true;
        source.unpipe(sink);
        parts = [];
        if (pending.delete(id) && !retired.has(w)) {
          const message: ToAuthThread = { type: 'abort', id };
          out.send(message);
        }
      };
      source.once('error', abort);
      return {
        result: () =>
          withDeadline(result, deadlineMs, () => {
            // Not answered in time: its event loop is stuck. This message has no result (as a late
            // check in the main thread); the other checks it held fail (451); it is ended.
            if (pending.delete(id) && !retired.has(w)) {
              retire(w, new Error(`the sender authentication thread did not answer within ${deadlineMs} ms`));
              void w.terminate();
            }
            return noResult();
          }),
        abort,
      };
    },
    async stop(): Promise<void> {
      stopping = true;
      const w = worker;
      if (w === null) return;
      await w.terminate();
    },
  };
}
