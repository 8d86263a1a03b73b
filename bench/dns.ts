// Our own small DNS server for tests and benchmarks (not a library's): UDP on 127.0.0.1 port 0,
// answering TXT, A, AAAA and MX questions from a table (or a function of the name) the caller gives; a name with no records is NXDOMAIN, a name with
// records of other types only gets an empty answer (no data). `silent` never answers (a resolver
// that times out). Every question is kept in `queries`, so a test can say that none was asked.
// Written with node:dgram instead of installing dnsmasq: no package outside npm, the records live
// in the test, and the server stops with it. Tests import it as test/helpers/dns.ts.
import dgram from 'node:dgram';

export type DnsRecord = { type: 'TXT'; value: string } | { type: 'A'; value: string } | { type: 'AAAA'; value: string } | { type: 'MX'; value: string; priority?: number };

export interface DnsServer {
  /** `127.0.0.1:PORT`, for CASEGATE_DNS_SERVERS. */
  address: string;
  port: number;
  /** Questions asked so far, `name TYPE`, lower case. */
  queries: string[];
  /** Replaces the table. */
  setRecords(records: DnsTable): void;
  close(): Promise<void>;
}

const TYPES: Record<number, DnsRecord['type']> = { 1: 'A', 15: 'MX', 16: 'TXT', 28: 'AAAA' };
const CODES: Record<DnsRecord['type'], number> = { A: 1, MX: 15, TXT: 16, AAAA: 28 };

/** The records of one name, or undefined when the name does not exist. */
export type DnsTable = Record<string, DnsRecord[]> | ((name: string) => DnsRecord[] | undefined);

export async function startDns(records: DnsTable = {}, opts: { silent?: boolean } = {}): Promise<DnsServer> {
  let table = normalise(records);
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, peer) => {
    const q = readQuestion(msg);
    if (q === null) return;
    queries.push(`${q.name} ${TYPES[q.type] ?? q.type}`);
    if (opts.silent === true) return;
    const all = table(q.name);
    const answers = (all ?? []).filter((r) => CODES[r.type] === q.type);
    socket.send(answer(msg, q, all === undefined ? 3 : 0, answers), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    setRecords(r) {
      table = normalise(r);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function normalise(records: DnsTable): (name: string) => DnsRecord[] | undefined {
  if (typeof records === 'function') return records;
  const map = new Map(Object.entries(records).map(([name, rs]) => [name.toLowerCase().replace(/\.$/, ''), rs]));
  return (name) => map.get(name);
}

interface Question {
  id: number;
  name: string;
  type: number;
  /** The question section as asked (name, type, class), echoed in the answer. */
  raw: Buffer;
}

function readQuestion(msg: Buffer): Question | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let at = 12;
  while (at < msg.length && msg[at] !== 0) {
    const len = msg[at] as number;
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += len + 1;
  }
  at += 1;
  if (at + 4 > msg.length) return null;
  return { id: msg.readUInt16BE(0), name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(at), raw: msg.subarray(12, at + 4) };
}

function answer(query: Buffer, q: Question, rcode: number, records: DnsRecord[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, the RD bit of the question, RA; the response code.
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const parts = [header, q.raw];
  for (const r of records) {
    const data = rdata(r);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(CODES[r.type], 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    parts.push(rr, data);
  }
  return Buffer.concat(parts);
}

function rdata(r: DnsRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(r.value.split('.').map(Number));
    case 'AAAA': {
      const [head = '', tail = ''] = r.value.split('::');
      const h = head === '' ? [] : head.split(':');
      const t = tail === '' ? [] : tail.split(':');
      const groups = r.value.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
      const b = Buffer.alloc(16);
      groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
      return b;
    }
    case 'MX': {
      const p = Buffer.alloc(2);
      p.writeUInt16BE(r.priority ?? 10, 0);
      return Buffer.concat([p, encodeName(r.value)]);
    }
    case 'TXT': {
      // Character-strings of at most 255 bytes (a DKIM key is longer); resolvers give them back as one list.
      const bytes = Buffer.from(r.value, 'utf8');
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length || i === 0; i += 255) {
        const part = bytes.subarray(i, i + 255);
        chunks.push(Buffer.from([part.length]), part);
      }
      return Buffer.concat(chunks);
    }
  }
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}
