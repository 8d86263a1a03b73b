// The sender authentication thread's entry (see authThread.ts): runs auth.ts's check on each message
// whose bytes the main thread sends, and answers with the result. Only mailauth and the resolver
// are loaded here; the DNS answers are kept for the thread's life (auth.ts's cache).
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { startSenderAuth, type AuthRun, type AuthSettings } from './auth.js';
import type { FromAuthThread, ToAuthThread } from './authThread.js';
import { batcher } from './batcher.js';

const { settings } = workerData as { settings: AuthSettings };
const port = (() => {
  if (parentPort === null) throw new Error('authWorker.js runs as a worker thread of serve');
  return parentPort;
})();

const runs = new Map<number, { input: PassThrough; run: AuthRun }>();
const out = batcher<FromAuthThread>((replies) => port.postMessage(replies));

// The main thread sends what it has in one array per turn of its event loop (authThread.ts's batcher).
port.on('message', (messages: ToAuthThread[]) => {
  for (const message of messages) take(message);
});

function take(message: ToAuthThread): void {
  const { id } = message;
  if (message.type === 'abort') {
    const r = runs.get(id);
    runs.delete(id);
    r?.run.abort();
    r?.input.destroy();
    return;
  }
  let r = runs.get(id);
  if (r === undefined) {
    const input = new PassThrough();
    const run = startSenderAuth(settings, { mailFrom: message.start?.mailFrom ?? null, client: message.start?.client }, input);
    // The main thread starts no check with sender authentication off.
    if (run === null) throw new Error('sender authentication is off: the thread should not have been started');
    r = { input, run };
    runs.set(id, r);
  }
  r.input.write(Buffer.from(message.bytes));
  if (!message.end) return;
  r.input.end();
  const mine = r;
  void mine.run.result().then((result) => {
    if (runs.get(id) !== mine) return;
    runs.delete(id);
    out.send({ type: 'result', id, result });
  });
}
