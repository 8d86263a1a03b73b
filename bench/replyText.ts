// Row 6: extractReply() on a 700 KB body (a long reply over a long quote), against the same-run
// cost of splitting that body into lines and joining them again (the least any line scan does).
import { extractReply } from '../src/domain/replyText.js';
import type { BenchContext, Row } from './table.js';

/** About 700 KB: 350 KB of new text, an attribution, 350 KB of `>` quote. */
export function longReply(chars = 700_000): string {
  const para = 'The printer on floor 3 jams in tray 2 whenever we print more than 40 pages; error 13.A2.D3.\n';
  let s = '';
  while (s.length < chars / 2) s += para;
  s += '\nOn Mon, 23 Nov 2026 at 10:02, Acme Support <support@acme-support.example> wrote:\n';
  while (s.length < chars) s += `> ${para}`;
  return s;
}

function msPerRun(runs: number, f: () => unknown): number {
  f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - t0) / runs;
}

export async function benchReplyText(ctx: BenchContext): Promise<Row[]> {
  const body = longReply(ctx.smoke ? 70_000 : 700_000);
  const runs = ctx.smoke ? 2 : 30;
  const ours = msPerRun(runs, () => extractReply(body).body.length);
  const floor = msPerRun(runs, () => body.replace(/\r\n?/g, '\n').split('\n').join('\n').length);
  ctx.notes.push(`6: reply text of a ${(body.length / 1000).toFixed(0)} KB body; baseline: split into lines and join (no patterns)`);
  return [
    {
      id: '6',
      name: `reply text, ${(body.length / 1000).toFixed(0)} KB body (ms per body)`,
      casegate: `${ours.toFixed(1)} ms`,
      baseline: `${floor.toFixed(1)} ms`,
      ratio: ours / floor,
      target: null,
    },
  ];
}
