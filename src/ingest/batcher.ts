// What one side of a thread pair (serve's main thread and its sender authentication thread) sends
// the other leaves in one postMessage per turn of its event loop, an array in order: a postMessage
// per message (its serialising and the wakeup of the other thread) was 2 % of serve's main thread,
// and under load several messages end in one turn.

/** A queue to another thread, emptied once per turn of the event loop. */
export interface Batcher<T> {
  /** Queues `item` (and the buffers it moves); it leaves when the event loop next turns. */
  send(item: T, transfer?: ArrayBuffer): void;
}

/** A Batcher that hands what was queued, and the buffers it moves, to `post`. */
export function batcher<T>(post: (items: T[], transfer: ArrayBuffer[]) => void): Batcher<T> {
  let items: T[] = [];
  let transfer: ArrayBuffer[] = [];
  let scheduled = false;
  const flush = (): void => {
    const now = items;
    const moved = transfer;
    items = [];
    transfer = [];
    scheduled = false;
    post(now, moved);
  };
  return {
    send(item, moved) {
      items.push(item);
      if (moved !== undefined) transfer.push(moved);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}
