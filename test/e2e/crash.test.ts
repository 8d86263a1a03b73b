// Crash safety of ingest: `casegate serve` is killed with SIGKILL right after its answers; after a
// restart every message answered 250 is stored exactly once, and none refused is stored.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { BIN } from '../cli/helpers.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { ANN, EVE, createCase } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';
import { createContact } from '../../src/admin/contacts.js';

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  child = dir = undefined;
});

function serve(db: string): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, '--db', db, 'serve', '--port', '0', '--no-dispatch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 15_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describe('SIGKILL after the answers', () => {
  it('keeps every message answered 250 exactly once and nothing refused', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-crash-'));
    const file = path.join(dir, 'casegate.db');
    const config = loadConfig({ db: file });
    const db = openDb(file);
    createContact(db, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
    const address = createCase(db, config, { subject: 'Crash test', contact: ANN }).address;
    db.close();

    const first = await serve(file);
    child = first.proc;
    const sends = Array.from({ length: 40 }, (_, i) => {
      const from = i % 5 === 4 ? EVE : ANN;
      const id = `<crash-${i}@acme.example>`;
      return sendRaw(first.port, mail({ from, messageId: id, body: `message number ${i}` }), { from, to: [address] }).then((r) => ({ id, ...r }));
    });
    const answers = await Promise.all(sends);
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));

    const second = await serve(file);
    child = second.proc;
    const check = new Database(file, { readonly: true });
    const stored = check.prepare("SELECT i.message_id AS id, count(*) AS n FROM comments c JOIN inbound i ON i.id = c.inbound_id GROUP BY i.message_id").all() as Array<{ id: string; n: number }>;
    check.close();
    const count = new Map(stored.map((s) => [s.id, s.n]));
    const accepted = answers.filter((a) => a.code === 250);
    const refused = answers.filter((a) => a.code >= 500);
    expect(accepted.length).toBe(32);
    expect(refused.length).toBe(8);
    for (const a of accepted) expect(count.get(a.id)).toBe(1);
    for (const a of refused) expect(count.get(a.id)).toBeUndefined();
  });
});
