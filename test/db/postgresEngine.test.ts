// The PostgreSQL engine on a real server (a throwaway cluster of this file's own, since some tests
// stop and start it): transactions and savepoints, `?` numbering, int8 as numbers, the masked
// location, the server out of reach as "unavailable", recovery when it is back, LISTEN/NOTIFY.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bool } from '../../src/db/client.js';
import { migrationsFolder } from '../../src/db/migrations.js';
import type { Tx } from '../../src/db/engine.js';
import { openPostgres, type PostgresEngine } from '../../src/db/engines/postgres.js';
import { notify } from '../../src/db/engines/postgresListen.js';
import { CasegateError } from '../../src/errors.js';
import { freePort } from '../helpers/postfix.js';
import { startPostgres, withClient, type PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres({ fsync: false });
}, 120_000);
afterAll(() => cluster?.release());

/** An engine on a new migrated database; closed after the file. */
async function engineOnNewDatabase(options: Parameters<typeof openPostgres>[1] = {}): Promise<{ engine: PostgresEngine; url: string }> {
  const url = await cluster.createDatabase();
  const engine = await openPostgres(url, options);
  engines.push(engine);
  return { engine, url };
}
const engines: PostgresEngine[] = [];
afterAll(async () => {
  await Promise.allSettled(engines.map((e) => e.close()));
});

const account = (tx: Tx, name: string, createdAt = 1_795_638_493_271) =>
  tx.get<{ id: number }>('INSERT INTO accounts (name, created_at) VALUES (?, ?) RETURNING id', [name, createdAt]);
const accountNames = (engine: PostgresEngine) =>
  engine.transaction(async (tx) => (await tx.all<{ name: string }>('SELECT name FROM accounts ORDER BY id')).map((r) => r.name), 'read');

/** What the promise failed with (handled at once, so that it may settle while the test does other things). */
const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );

/** Expects the promise to fail as "unavailable", naming the URL without its password. */
async function expectUnavailable(promise: Promise<unknown>, url: string): Promise<CasegateError> {
  return expectUnavailableError(await failureOf(promise), url);
}

function expectUnavailableError(err: unknown, url: string): CasegateError {
  expect(err).toBeInstanceOf(CasegateError);
  const failure = err as CasegateError;
  expect(failure.kind).toBe('unavailable');
  const password = new URL(url).password;
  expect(failure.message).not.toContain(password);
  expect(failure.message).toContain(':***@127.0.0.1:');
  expect(failure.message).toMatch(/check that the server runs/);
  return failure;
}

describe('queries', () => {
  let engine: PostgresEngine;
  beforeAll(async () => {
    ({ engine } = await engineOnNewDatabase({ poolSize: 3 }));
  });

  it('numbers ? placeholders in order, leaving a ? inside a string alone', async () => {
    const row = await engine.transaction((tx) => tx.get('SELECT ?::text AS a, \'why?\' AS q, ?::text AS b', ['first', 'second']), 'read');
    expect(row).toEqual({ a: 'first', q: 'why?', b: 'second' });
  });

  it('refuses a call whose parameters do not match its placeholders, before sending it', async () => {
    await expect(engine.transaction((tx) => tx.get('SELECT ?::text AS a', []), 'read')).rejects.toThrow(/1 placeholders but 0 parameters/);
  });

  it('reads count(*), bigint times and numeric as JS numbers, booleans as booleans', async () => {
    await engine.transaction(async (tx) => {
      await account(tx, 'Acme', 1_795_638_493_271);
      await tx.run(
        "INSERT INTO contacts (email, email_lower, first_name, last_name, help_admin, eligible, created_at) VALUES ('a@x.example', 'a@x.example', 'A', 'B', ?, ?, ?)",
        [1, 0, 1_795_638_493_272],
      );
    });
    const row = await engine.transaction(
      (tx) =>
        tx.get<Record<string, unknown>>(
          `SELECT (SELECT count(*) FROM accounts) AS n, a.created_at, sum(a.created_at) AS total, c.help_admin, c.eligible, c.active
             FROM accounts a, contacts c GROUP BY a.created_at, c.help_admin, c.eligible, c.active`,
        ),
      'read',
    );
    expect(row).toEqual({ n: 1, created_at: 1_795_638_493_271, total: 1_795_638_493_271, help_admin: true, eligible: false, active: true });
    expect([bool(row?.help_admin), bool(row?.eligible)]).toEqual([true, false]);
  });

  it('counts the rows a statement changed, and gives generated ids through RETURNING', async () => {
    const changes = await engine.transaction(async (tx) => {
      const a = await account(tx, 'Renamed soon');
      expect(a?.id).toEqual(expect.any(Number));
      const id = await tx.insert('INSERT INTO accounts (name, created_at) VALUES (?, ?)', ['Inserted', 1]);
      expect(await tx.get('SELECT name FROM accounts WHERE id = ?', [id])).toEqual({ name: 'Inserted' });
      return (await tx.run("UPDATE accounts SET name = 'Renamed' WHERE name LIKE 'Renamed%'")).changes;
    });
    expect(changes).toBe(1);
  });

  it('stores a NUL of mail (text cannot hold it) as U+FFFD, and finds the value again by the same text', async () => {
    const name = 'Acme\u0000 Ltd';
    await engine.transaction((tx) => account(tx, name));
    const found = await engine.transaction((tx) => tx.get<{ name: string }>('SELECT name FROM accounts WHERE name = ?', [name]), 'read');
    expect(found).toEqual({ name: 'Acme\uFFFD Ltd' });
  });

  it('shows where the data lives with the password masked', async () => {
    expect(engine.location).toMatch(/^postgres:\/\/casegate:\*\*\*@127\.0\.0\.1:\d+\/t_\w+$/);
  });
});

describe('transactions and savepoints', () => {
  let engine: PostgresEngine;
  beforeAll(async () => {
    ({ engine } = await engineOnNewDatabase({ poolSize: 3 }));
  });

  it('commits what the work wrote when it resolves', async () => {
    await engine.transaction(async (tx) => void (await account(tx, 'kept')));
    expect(await accountNames(engine)).toEqual(['kept']);
  });

  it('rolls everything back when the work throws, and throws that same error', async () => {
    const boom = new Error('the work failed');
    await expect(
      engine.transaction(async (tx) => {
        await account(tx, 'lost');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await accountNames(engine)).toEqual(['kept']);
  });

  it('refuses writes in a read transaction', async () => {
    await expect(engine.transaction((tx) => account(tx, 'read only'), 'read')).rejects.toMatchObject({ code: '25006' });
    expect(await accountNames(engine)).toEqual(['kept']);
  });

  it('keeps a savepoint by default and when keep says so, and rolls it back when keep says no', async () => {
    const outcome = await engine.transaction(async (tx) => {
      const kept = await tx.savepoint((t) => account(t, 'savepoint kept'));
      const undone = await tx.savepoint(
        async (t) => (await account(t, 'savepoint undone'))?.id,
        (id) => id === -1,
      );
      return { kept: kept.kept, undone };
    });
    expect(outcome.kept).toBe(true);
    expect(outcome.undone).toEqual({ result: expect.any(Number), kept: false });
    expect(await accountNames(engine)).toEqual(['kept', 'savepoint kept']);
  });

  it('rolls a failed savepoint back and lets the transaction go on (a unique violation, as table modules meet)', async () => {
    await engine.transaction(async (tx) => {
      await tx.run("INSERT INTO users (email, email_lower, name, created_at) VALUES ('sam@x.example', 'sam@x.example', 'Sam', 1)");
      const again = tx.savepoint((t) => t.run("INSERT INTO users (email, email_lower, name, created_at) VALUES ('SAM@x.example', 'sam@x.example', 'Sam', 2)"));
      await expect(again).rejects.toMatchObject({ code: '23505' });
      await account(tx, 'after the savepoint');
    });
    expect(await accountNames(engine)).toEqual(['kept', 'savepoint kept', 'after the savepoint']);
  });

  it('nests savepoints', async () => {
    await engine.transaction(async (tx) => {
      await tx.savepoint(async (outer) => {
        await account(outer, 'outer');
        await outer.savepoint((inner) => account(inner, 'inner'), () => false);
      });
    });
    expect((await accountNames(engine)).slice(-1)).toEqual(['outer']);
  });

  it('refuses a tx used after its work settled', async () => {
    let leaked: Tx | undefined;
    await engine.transaction(async (tx) => {
      leaked = tx;
    });
    await expect((leaked as Tx).get('SELECT 1')).rejects.toThrow(/transaction is over/);
  });

  it('runs a transaction again after a deadlock, so that both writers commit', async () => {
    await engine.transaction(async (tx) => {
      await account(tx, 'row A');
      await account(tx, 'row B');
    });
    let tries = 0;
    let arrived = 0;
    const bothHoldOneRow = async (): Promise<void> => {
      arrived += 1;
      await vi.waitFor(() => expect(arrived).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 5 });
    };
    const lockInOrder = (first: string, second: string) =>
      engine.transaction(async (tx) => {
        tries += 1;
        await tx.run('UPDATE accounts SET created_at = created_at + 1 WHERE name = ?', [first]);
        if (tries <= 2) await bothHoldOneRow();
        await tx.run('UPDATE accounts SET created_at = created_at + 1 WHERE name = ?', [second]);
      });
    await Promise.all([lockInOrder('row A', 'row B'), lockInOrder('row B', 'row A')]);
    expect(tries).toBe(3);
    const rows = await engine.transaction((tx) => tx.all<{ created_at: number }>("SELECT created_at FROM accounts WHERE name LIKE 'row _'"), 'read');
    expect(rows.map((r) => r.created_at)).toEqual([1_795_638_493_273, 1_795_638_493_273]);
  });

  it('gives up after a few serialization failures in a row, as "unavailable"', async () => {
    let tries = 0;
    const failing = engine.transaction(async (tx) => {
      tries += 1;
      await tx.run("DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$");
    });
    await expect(failing).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/aborted the transaction 5 times/) });
    expect(tries).toBe(5);
  });
});

describe('migrations on open', () => {
  it('migrate once when two nodes open a new database at the same moment', async () => {
    const url = await cluster.createDatabase({ empty: true });
    const both = await Promise.all([openPostgres(url, { poolSize: 1 }), openPostgres(url, { poolSize: 1 })]);
    await Promise.all(both.map((e) => e.close()));
    const applied = await withClient(url, (c) => c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations'));
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder('postgres'), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(journal.entries.length).toBeGreaterThan(0);
    expect(applied.rows[0].n).toBe(journal.entries.length);
  });
});

describe('LISTEN/NOTIFY', () => {
  let engine: PostgresEngine;
  beforeAll(async () => {
    ({ engine } = await engineOnNewDatabase({ poolSize: 2 }));
  });

  it('delivers a notification once its transaction commits, and none from a rolled-back one', async () => {
    const got: string[] = [];
    const listener = await engine.listen('outbox_ready', (payload) => got.push(payload));
    try {
      await expect(
        engine.transaction(async (tx) => {
          await notify(tx, 'outbox_ready', 'rolled back');
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      await engine.transaction(async (tx) => {
        await notify(tx, 'outbox_ready', 'first');
        await notify(tx, 'outbox_ready', 'second');
      });
      await vi.waitFor(() => expect(got).toEqual(['first', 'second']), { timeout: 5_000, interval: 10 });
    } finally {
      await listener.stop();
    }
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    await expect(engine.listen('outbox"; DROP', () => undefined)).rejects.toThrow(/channel name/);
  });
});

describe('the server out of reach', () => {
  it('is "unavailable" at open when nothing listens on the port, naming the masked URL', async () => {
    const url = `postgres://casegate:s3cret-pw@127.0.0.1:${await freePort()}/casegate`;
    const err = await expectUnavailable(openPostgres(url, { connectTimeoutMs: 2_000 }), url);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('is "unavailable" when the server refuses more connections (53300)', async () => {
    const { engine, url } = await engineOnNewDatabase({ poolSize: 1 });
    const name = new URL(url).pathname.slice(1);
    await withClient(cluster.adminUrl, (c) => c.query(`ALTER DATABASE "${name}" CONNECTION LIMIT 1`));
    await engine.close();
    const err = await withClient(url, () => expectUnavailable(openPostgres(url, { poolSize: 1 }), url));
    expect(err.message).toContain('53300');
  });

  it('is "unavailable" while stopped, and the engine and its listener recover by themselves when it is back', async () => {
    const errors: CasegateError[] = [];
    const { engine, url } = await engineOnNewDatabase({ poolSize: 3, connectTimeoutMs: 2_000, onError: (e) => errors.push(e) });
    // Fill the pool with idle connections, which the stop will break.
    await Promise.all([1, 2, 3].map(() => engine.transaction((tx) => tx.get('SELECT pg_sleep(0.05)'), 'read')));
    const got: string[] = [];
    let reconnects = 0;
    const listener = await engine.listen('wake', (p) => got.push(p), { onReconnect: () => (reconnects += 1) });

    const inFlight = failureOf(engine.transaction((tx) => tx.get('SELECT pg_sleep(30)')));
    await vi.waitFor(
      async () => {
        const active = await withClient(cluster.adminUrl, (c) => c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'"));
        expect(active.rows[0].n).toBe(1);
      },
      { timeout: 10_000, interval: 50 },
    );
    await cluster.stop();
    const lost = expectUnavailableError(await inFlight, url);
    expect(lost.message).toMatch(/57P01|terminat/);
    await expectUnavailable(engine.transaction((tx) => account(tx, 'while stopped')), url);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.kind === 'unavailable' && !e.message.includes(new URL(url).password))).toBe(true);

    await cluster.start();
    // Every pooled connection is new: more transactions than the pool holds, at once, all succeed.
    await Promise.all([1, 2, 3, 4, 5].map((n) => engine.transaction((tx) => account(tx, `after restart ${n}`))));
    expect(await accountNames(engine)).toHaveLength(5);
    await vi.waitFor(() => expect(reconnects).toBe(1), { timeout: 15_000, interval: 50 });
    await engine.transaction((tx) => notify(tx, 'wake', 'after restart'));
    await vi.waitFor(() => expect(got).toEqual(['after restart']), { timeout: 5_000, interval: 10 });
    await listener.stop();
  }, 60_000);

  it('waits for a running transaction before closing', async () => {
    const { engine } = await engineOnNewDatabase({ poolSize: 1 });
    let finished = false;
    const running = engine.transaction(async (tx) => {
      await tx.get('SELECT pg_sleep(0.3)');
      await account(tx, 'finished before close');
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await engine.close();
    expect(finished).toBe(true);
    await running;
    await expect(engine.transaction((tx) => tx.get('SELECT 1'))).rejects.toThrow(/closed/);
  });
});
