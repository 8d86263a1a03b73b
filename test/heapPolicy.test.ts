// The gateway's garbage collector settings (src/heapPolicy.ts): which V8 flags it sets, that a flag
// node was started with wins, that it happens once, and that this node knows both flags (node
// refuses to start with one it does not know, and setFlagsFromString would ignore it in silence).
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A fresh copy of the module (its "applied once" state is per copy), with V8's setter recorded, not called. */
async function freshPolicy(): Promise<{ policy: typeof import('../src/heapPolicy.js'); set: string[] }> {
  vi.resetModules();
  const set: string[] = [];
  vi.spyOn(v8, 'setFlagsFromString').mockImplementation((flag: string) => void set.push(flag));
  return { policy: await import('../src/heapPolicy.js'), set };
}

afterEach(() => vi.restoreAllMocks());

describe('applyHeapPolicy', () => {
  it('sets a 30 % heap growing factor and turns allocation-site pretenuring off, once', async () => {
    const { policy, set } = await freshPolicy();
    policy.applyHeapPolicy([]);
    expect(set).toEqual(['--heap-growing-percent=30', '--no-allocation-site-pretenuring']);
    policy.applyHeapPolicy([]);
    expect(set).toHaveLength(2);
  });

  it('leaves a flag that node was given, in either spelling and either way', async () => {
    const pretenuring = await freshPolicy();
    pretenuring.policy.applyHeapPolicy(['--max-old-space-size=512', '--allocation-site-pretenuring']);
    expect(pretenuring.set).toEqual(['--heap-growing-percent=30']);

    const growing = await freshPolicy();
    growing.policy.applyHeapPolicy(['--heap_growing_percent=50']);
    expect(growing.set).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('names flags that this node accepts', async () => {
    const { policy } = await freshPolicy();
    vi.restoreAllMocks();
    // An unknown V8 flag on the command line makes node exit 9 ("bad option") before running anything.
    const out = execFileSync(process.execPath, [...policy.HEAP_POLICY_FLAGS, '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect(out).toBe('ran');
  });
});
