// LISTEN/NOTIFY: a dispatcher wakes as soon as a transaction that wrote outbox rows commits, instead
// of at its next poll. `notify(tx, channel)` inside the writing transaction (delivered on commit;
// nothing on SQLite, where one process polls); `listenOn` keeps one connection of its own, outside
// the pool, and reconnects with backoff when it is lost.
import pg from 'pg';
import type { CasegateError } from '../../errors.js';
import type { Tx } from '../engine.js';
import { outOfReach } from './postgresErrors.js';

export interface Listener {
  /** Stops listening and closes the connection; safe to call twice. */
  stop(): Promise<void>;
}

export interface ListenOptions {
  /** Runs after a lost connection is listening again: notifications sent meanwhile are gone. */
  readonly onReconnect?: () => void;
  /** Told when the connection is lost and of each failed try to reconnect. */
  readonly onError?: ((err: CasegateError) => void) | undefined;
}

/** Delays between tries to reconnect (ms), the last one repeated; each jittered by ±20 %. */
export const RECONNECT_DELAYS: readonly number[] = [100, 250, 500, 1_000, 2_000, 5_000];

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`a channel name is lowercase letters, digits and _ (at most 63): ${channel}`);
}

/** Tells the listeners of `channel` once the transaction commits (PostgreSQL); nothing on SQLite. */
export async function notify(tx: Tx, channel: string, payload = ''): Promise<void> {
  checkChannel(channel);
  if (tx.dialect !== 'postgres') return;
  await tx.run('SELECT pg_notify(?, ?)', [channel, payload]);
}

/** Listens on `channel` with a client of its own made from `config`; resolves once listening. */
export async function listenOn(
  config: pg.ClientConfig,
  location: string,
  channel: string,
  onNotify: (payload: string) => void,
  options: ListenOptions = {},
): Promise<Listener> {
  checkChannel(channel);
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  /** A connected client listening on the channel; on loss it schedules the next try. */
  async function connect(): Promise<pg.Client> {
    const c = new pg.Client(config);
    c.on('error', (err) => lose(c, err));
    c.on('end', () => lose(c, new Error('Connection terminated unexpectedly')));
    c.on('notification', (msg) => {
      if (msg.channel === channel) onNotify(msg.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
    } catch (err) {
      c.end().catch(() => undefined);
      throw outOfReach(location, err);
    }
    return c;
  }

  function lose(c: pg.Client, err: Error): void {
    if (c !== client || stopped) return;
    client = undefined;
    c.end().catch(() => undefined);
    options.onError?.(outOfReach(location, err));
    schedule();
  }

  function schedule(): void {
    const base = RECONNECT_DELAYS[Math.min(failures, RECONNECT_DELAYS.length - 1)] as number;
    timer = setTimeout(() => void retry(), base * (0.8 + 0.4 * Math.random()));
  }

  async function retry(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    try {
      const c = await connect();
      if (stopped) {
        await c.end().catch(() => undefined);
        return;
      }
      client = c;
      failures = 0;
      options.onReconnect?.();
    } catch (err) {
      failures += 1;
      options.onError?.(err as CasegateError);
      if (!stopped) schedule();
    }
  }

  client = await connect();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
