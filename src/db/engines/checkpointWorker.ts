// The checkpoint thread's entry (see checkpointer.ts): a connection of its own to the database,
// a PASSIVE checkpoint of its WAL every interval, until the main thread says stop. A failure is
// sent back once and the thread ends.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const port = (() => {
  if (parentPort === null) throw new Error('checkpointWorker.js runs as a worker thread');
  return parentPort;
})();

const db = new Database(file, { fileMustExist: true });
// The checkpoint syncs the WAL before it copies and the database file after it (as the writer's own).
db.pragma('synchronous = NORMAL');

/** Stops checkpointing and closes the connection; the thread then ends. */
const end = (): void => {
  clearInterval(timer);
  db.close();
  port.close();
};

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    port.postMessage({ error: (err as Error).message });
    end();
  }
}, intervalMs);

port.on('message', (m: unknown) => {
  if (m === 'stop') end();
});
