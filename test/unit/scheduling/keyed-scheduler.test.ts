import { describe, expect, it, vi } from 'vitest';
import { KeyedScheduler } from '../../../src/scheduling/keyed-scheduler.js';

interface Job {
  readonly id: number;
  readonly key: string;
}

/** Lets pending promise callbacks run (no timer, no sleep). */
async function flush(): Promise<void> {
  await new Promise<void>((resolve) => {
    setImmediate(resolve);
  });
}

/** A scheduler whose jobs each wait for an explicit resolve or reject. */
function harness(concurrency: number) {
  const started: Job[] = [];
  const running = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const unexpected: [unknown, Job][] = [];
  const scheduler = new KeyedScheduler<Job>({
    concurrency,
    run: (job) => {
      started.push(job);
      return new Promise<void>((resolve, reject) => {
        running.set(job.id, {
          resolve: () => {
            running.delete(job.id);
            resolve();
          },
          reject: (error) => {
            running.delete(job.id);
            reject(error);
          },
        });
      });
    },
    onUnexpectedError: (error, job) => unexpected.push([error, job]),
  });
  let next = 0;
  const push = (key: string): Job => {
    const job = { id: next++, key };
    scheduler.push(key, job);
    return job;
  };
  const finish = async (job: Job): Promise<void> => {
    const deferred = running.get(job.id);
    if (deferred === undefined) throw new Error(`job ${job.id} is not running`);
    deferred.resolve();
    await flush();
  };
  const ids = (): number[] => started.map(({ id }) => id);
  return { scheduler, started, running, unexpected, push, finish, ids };
}

/** Tracks whether a promise has settled. */
function watch(promise: Promise<void>): { settled: boolean } {
  const state = { settled: false };
  void promise.then(() => {
    state.settled = true;
  });
  return state;
}

describe('KeyedScheduler', () => {
  it('starts an item synchronously when a slot is free', () => {
    const { scheduler, push, ids } = harness(2);
    push('a');
    expect(ids()).toEqual([0]);
    expect([scheduler.running, scheduler.queued, scheduler.size]).toEqual([1, 0, 1]);
  });

  it('runs one item of a key at a time, in push order', async () => {
    const { scheduler, push, finish, ids } = harness(4);
    const a0 = push('a');
    const a1 = push('a');
    push('a');
    expect(ids()).toEqual([0]);
    expect([scheduler.running, scheduler.queued]).toEqual([1, 2]);
    await finish(a0);
    expect(ids()).toEqual([0, 1]);
    await finish(a1);
    expect(ids()).toEqual([0, 1, 2]);
  });

  it('runs different keys concurrently up to the limit', async () => {
    const { scheduler, push, finish, ids } = harness(2);
    const a = push('a');
    push('b');
    push('c');
    expect(ids()).toEqual([0, 1]);
    expect([scheduler.running, scheduler.queued]).toEqual([2, 1]);
    await finish(a);
    expect(ids()).toEqual([0, 1, 2]);
  });

  it('gives a freed slot to the key that has waited longest', async () => {
    const { push, finish, ids } = harness(1);
    const a0 = push('a');
    push('a');
    const b0 = push('b');
    const c0 = push('c');
    await finish(a0); // a is ready again, but b and c have waited longer
    expect(ids()).toEqual([0, 2]);
    await finish(b0);
    expect(ids()).toEqual([0, 2, 3]);
    await finish(c0);
    expect(ids()).toEqual([0, 2, 3, 1]);
  });

  it('goes on with a key whose run rejected, and reports the error', async () => {
    const { scheduler, push, running, unexpected, ids } = harness(1);
    const a0 = push('a');
    const a1 = push('a');
    const failure = new Error('boom');
    running.get(a0.id)?.reject(failure);
    await flush();
    expect(unexpected).toEqual([[failure, a0]]);
    expect(ids()).toEqual([a0.id, a1.id]);
    expect(scheduler.running).toBe(1);
  });

  it('treats a synchronous throw like a rejection, never out of push', async () => {
    const failure = new Error('sync');
    const reports: unknown[] = [];
    const ran: number[] = [];
    const scheduler = new KeyedScheduler<number>({
      concurrency: 1,
      run: (item) => {
        ran.push(item);
        if (item === 0) throw failure;
        return Promise.resolve();
      },
      onUnexpectedError: (error, item) => reports.push([error, item]),
    });
    expect(() => {
      scheduler.push('k', 0);
    }).not.toThrow();
    scheduler.push('k', 1);
    expect(scheduler.size).toBe(2);
    await scheduler.whenIdle();
    expect(ran).toEqual([0, 1]);
    expect(reports).toEqual([[failure, 0]]);
  });

  it('accepts pushes and drops made from inside run', async () => {
    const ran: string[] = [];
    const scheduler: KeyedScheduler<string> = new KeyedScheduler<string>({
      concurrency: 2,
      run: (item) => {
        ran.push(item);
        if (item === 'a0') {
          scheduler.push('a', 'a1');
          scheduler.push('b', 'b0');
          scheduler.push('c', 'c0');
          expect(scheduler.drop((queued) => queued === 'c0')).toEqual(['c0']);
        }
        return Promise.resolve();
      },
    });
    scheduler.push('a', 'a0');
    expect(ran).toEqual(['a0', 'b0']);
    await scheduler.whenIdle();
    expect(ran).toEqual(['a0', 'b0', 'a1']);
  });

  it('drops queued items only and returns them', async () => {
    const { scheduler, push, finish, ids } = harness(1);
    const a0 = push('a');
    const a1 = push('a');
    const b0 = push('b');
    const a2 = push('a');
    expect(scheduler.drop((job) => job.key === 'a')).toEqual([a1, a2]);
    expect([scheduler.running, scheduler.queued]).toEqual([1, 1]);
    expect(scheduler.drop(() => false)).toEqual([]);
    await finish(a0);
    expect(ids()).toEqual([a0.id, b0.id]);
    await finish(b0);
    expect(scheduler.size).toBe(0);
  });

  it('resolves whenIdle when nothing runs or waits', async () => {
    const { scheduler, push, finish } = harness(1);
    await expect(scheduler.whenIdle()).resolves.toBeUndefined();
    const a = push('a');
    const idle = watch(scheduler.whenIdle());
    const b = push('b'); // pushed after the call: waited for too
    await finish(a);
    expect(idle.settled).toBe(false);
    await finish(b);
    expect(idle.settled).toBe(true);
  });

  it('resolves whenSettled when no running or queued item matches', async () => {
    const { scheduler, push, finish } = harness(2);
    const ofB = (job: Job): boolean => job.key === 'b';
    await expect(scheduler.whenSettled(ofB)).resolves.toBeUndefined();
    const a0 = push('a');
    const b0 = push('b');
    push('b');
    const settled = watch(scheduler.whenSettled(ofB));
    expect(scheduler.drop(ofB)).toHaveLength(1);
    await flush();
    expect(settled.settled).toBe(false);
    await finish(b0);
    expect(settled.settled).toBe(true);
    expect(scheduler.running).toBe(1);
    await finish(a0);
  });

  it('resolves whenSettled when dropping removes the last matching item', async () => {
    const { scheduler, push } = harness(1);
    push('a');
    push('b');
    const settled = watch(scheduler.whenSettled((job) => job.key === 'b'));
    scheduler.drop((job) => job.key === 'b');
    await flush();
    expect(settled.settled).toBe(true);
  });

  it('keeps order through long queues and many waiting keys', async () => {
    const { push, running, started } = harness(1);
    const keys = 3000;
    for (let key = 0; key < keys; key += 1) push(`k${key}`);
    for (let round = 0; round < keys; round += 1) {
      push('hot');
      const [first] = running.values();
      first?.resolve();
      await flush();
    }
    while (running.size > 0) {
      const [first] = running.values();
      first?.resolve();
      await flush();
    }
    expect(started).toHaveLength(2 * keys);
    const hot = started.filter((job) => job.key === 'hot').map(({ id }) => id);
    expect(hot).toEqual([...hot].sort((a, b) => a - b));
    expect(started.slice(0, keys).map(({ key }) => key)).toEqual(
      Array.from({ length: keys }, (_, key) => `k${key}`),
    );
  });

  it('drives async work with fake timers', async () => {
    vi.useFakeTimers();
    try {
      const ended: string[] = [];
      const scheduler = new KeyedScheduler<{ name: string; ms: number }>({
        concurrency: 2,
        run: async ({ name, ms }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          ended.push(name);
        },
      });
      scheduler.push('a', { name: 'a0', ms: 300 });
      scheduler.push('a', { name: 'a1', ms: 10 });
      scheduler.push('b', { name: 'b0', ms: 100 });
      scheduler.push('c', { name: 'c0', ms: 50 });
      const idle = watch(scheduler.whenIdle());
      await vi.advanceTimersByTimeAsync(100);
      expect(ended).toEqual(['b0']);
      await vi.advanceTimersByTimeAsync(100);
      expect(ended).toEqual(['b0', 'c0']);
      await vi.advanceTimersByTimeAsync(110);
      expect(ended).toEqual(['b0', 'c0', 'a0', 'a1']);
      expect(idle.settled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves whenSizeAtMost once finishing or dropping made the room', async () => {
    const { scheduler, push, finish } = harness(1);
    const jobs = ['a', 'b', 'c', 'd'].map((key) => push(key));
    await expect(scheduler.whenSizeAtMost(4)).resolves.toBeUndefined();
    const two = watch(scheduler.whenSizeAtMost(2));
    const zero = watch(scheduler.whenSizeAtMost(0));
    await finish(jobs[0] as Job);
    expect(two.settled).toBe(false);
    await finish(jobs[1] as Job);
    expect(two.settled).toBe(true);
    expect(zero.settled).toBe(false);
    scheduler.drop((job) => job.id === 3);
    await finish(jobs[2] as Job);
    expect(zero.settled).toBe(true);
  });

  it('finishes work that completed synchronously at once, starting the next item in the same push', () => {
    const done: number[] = [];
    const scheduler = new KeyedScheduler<number>({
      concurrency: 1,
      run: (item) => {
        done.push(item);
        return undefined;
      },
    });
    for (const item of [1, 2, 3]) scheduler.push('same', item);
    expect(done).toEqual([1, 2, 3]);
    expect(scheduler.size).toBe(0);
  });

  it('gives the work each item with its key', () => {
    const seen: [number, string][] = [];
    const scheduler = new KeyedScheduler<number>({
      concurrency: 2,
      run: (item, key) => {
        seen.push([item, key]);
        return undefined;
      },
    });
    scheduler.push('a', 1);
    scheduler.push('b', 2);
    scheduler.push('a', 3);
    expect(seen).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
    ]);
  });

  it('lets an item give its slot back while it waits, keeping its key, and take one again first', async () => {
    const log: string[] = [];
    const wake = new Map<string, () => void>();
    const gate = (name: string) =>
      new Promise<void>((resolve) => {
        wake.set(name, resolve);
      });
    const scheduler = new KeyedScheduler<string>({
      concurrency: 1,
      run: async (item, _key, slot) => {
        log.push(`start ${item}`);
        if (item === 'a1') {
          await slot.idle(gate('a1 wait'));
          log.push('a1 goes on');
        }
        await gate(item);
        log.push(`end ${item}`);
      },
    });
    scheduler.push('a', 'a1');
    scheduler.push('a', 'a2');
    scheduler.push('b', 'b1');
    scheduler.push('c', 'c1');
    await flush();
    // a1 waits without its slot: b1 runs, a2 (same key) does not.
    expect(log).toEqual(['start a1', 'start b1']);
    expect([scheduler.running, scheduler.idle, scheduler.queued, scheduler.size]).toEqual([1, 1, 2, 4]);
    // a1's wait is over, but the slot is taken: it goes on when b1 ends, before c1 starts.
    wake.get('a1 wait')?.();
    await flush();
    expect(log).toEqual(['start a1', 'start b1']);
    wake.get('b1')?.();
    await flush();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'a1 goes on']);
    expect([scheduler.running, scheduler.idle]).toEqual([1, 0]);
    wake.get('a1')?.();
    await flush();
    expect(log.slice(4)).toEqual(['end a1', 'start c1']);
    wake.get('c1')?.();
    await flush();
    wake.get('a2')?.();
    await scheduler.whenIdle();
    expect(log.slice(6)).toEqual(['end c1', 'start a2', 'end a2']);
  });

  it('finishes an item that ends while it waits without its slot', async () => {
    const scheduler = new KeyedScheduler<number>({
      concurrency: 1,
      run: (_item, _key, slot) => {
        void slot.idle(new Promise<void>(() => undefined));
        return Promise.resolve();
      },
    });
    scheduler.push('a', 1);
    scheduler.push('a', 2);
    await scheduler.whenIdle();
    expect([scheduler.running, scheduler.idle, scheduler.size]).toEqual([0, 0, 0]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects concurrency %s', (concurrency) => {
    expect(() => new KeyedScheduler({ concurrency, run: () => Promise.resolve() })).toThrow(RangeError);
  });
});
