import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyedScheduler } from '../../../src/scheduling/keyed-scheduler.js';

interface Job {
  readonly id: number;
  readonly key: string;
  /** run() throws synchronously for this job. */
  readonly throws: boolean;
}

type Step =
  | { readonly kind: 'push'; readonly key: string; readonly throws: boolean }
  | { readonly kind: 'finish'; readonly pick: number; readonly fail: boolean }
  | { readonly kind: 'drop'; readonly keys: readonly string[] }
  | { readonly kind: 'settle'; readonly keys: readonly string[] | 'all' };

const keyNames = ['k0', 'k1', 'k2', 'k3', 'k4'];
const key = fc.constantFrom(...keyNames);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      key,
      throws: fc.nat(9).map((n) => n === 0),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('finish' as const),
      pick: fc.nat(),
      fail: fc.nat(9).map((n) => n === 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), keys: fc.subarray(keyNames) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      keys: fc.oneof(fc.constant('all' as const), fc.subarray(keyNames)),
    }),
  },
);

async function flush(): Promise<void> {
  await new Promise<void>((resolve) => {
    setImmediate(resolve);
  });
}

/**
 * The reference: per-key FIFO queues, at most one running item per key, and a FIFO of keys that wait
 * for a slot (a key joins it when it gets a queued item while nothing of it runs). Run synchronously,
 * it predicts exactly which items start, in which order.
 */
class Model {
  readonly queues = new Map<string, Job[]>();
  readonly running = new Map<string, Job>();
  ready: string[] = [];
  readonly starts: Job[] = [];
  readonly #concurrency: number;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get queued(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  push(job: Job): void {
    const queue = this.queues.get(job.key) ?? [];
    this.queues.set(job.key, queue);
    queue.push(job);
    if (queue.length === 1 && !this.running.has(job.key)) this.ready.push(job.key);
    this.#pump();
  }

  finish(job: Job): void {
    this.running.delete(job.key);
    if ((this.queues.get(job.key)?.length ?? 0) > 0) this.ready.push(job.key);
    this.#pump();
  }

  drop(keys: readonly string[]): Job[] {
    const dropped: Job[] = [];
    for (const name of keys) {
      dropped.push(...(this.queues.get(name) ?? []));
      this.queues.delete(name);
    }
    this.ready = this.ready.filter((name) => (this.queues.get(name)?.length ?? 0) > 0);
    return dropped;
  }

  /** Whether any running or queued job matches. */
  busy(matches: (job: Job) => boolean): boolean {
    for (const job of this.running.values()) if (matches(job)) return true;
    for (const queue of this.queues.values()) if (queue.some(matches)) return true;
    return false;
  }

  #pump(): void {
    const thrown: Job[] = [];
    while (this.running.size < this.#concurrency && this.ready.length > 0) {
      const name = this.ready.shift() as string;
      const job = (this.queues.get(name) ?? []).shift() as Job;
      this.running.set(name, job);
      this.starts.push(job);
      if (job.throws) thrown.push(job);
    }
    // A synchronous throw finishes the job in a later microtask, in start order.
    for (const job of thrown) this.finish(job);
  }
}

describe('KeyedScheduler properties', () => {
  it('starts exactly what a FIFO-fair per-key model predicts, and keeps every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(step, { maxLength: 80, size: 'max' }),
        async (concurrency, steps) => {
          const model = new Model(concurrency);
          const started: Job[] = [];
          const startedIds = new Set<number>();
          const runningKeys = new Set<string>();
          const lastStarted = new Map<string, number>();
          const deferreds = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
          const violations: string[] = [];
          const reported: number[] = [];
          const expectedReports: number[] = [];
          const pushed: Job[] = [];
          const dropped = new Set<number>();
          const waiters: { matches: (job: Job) => boolean; state: { settled: boolean }; due: boolean }[] = [];

          const scheduler = new KeyedScheduler<Job>({
            concurrency,
            run: (job) => {
              if (startedIds.has(job.id)) violations.push(`job ${job.id} ran twice`);
              if (runningKeys.has(job.key)) violations.push(`two jobs of ${job.key} ran at once`);
              if ((lastStarted.get(job.key) ?? -1) > job.id) violations.push(`${job.key} out of order`);
              startedIds.add(job.id);
              runningKeys.add(job.key);
              lastStarted.set(job.key, job.id);
              started.push(job);
              if (runningKeys.size > concurrency)
                violations.push('more jobs ran than the concurrency allows');
              if (job.throws) {
                expectedReports.push(job.id);
                runningKeys.delete(job.key);
                throw new Error(`sync ${job.id}`);
              }
              return new Promise<void>((resolve, reject) => {
                const done = (): void => {
                  deferreds.delete(job.id);
                  runningKeys.delete(job.key);
                };
                deferreds.set(job.id, {
                  resolve: () => {
                    done();
                    resolve();
                  },
                  reject: (error) => {
                    done();
                    reject(error);
                  },
                });
              });
            },
            onUnexpectedError: (_error, job) => reported.push(job.id),
          });

          const check = (): void => {
            expect(violations).toEqual([]);
            expect(started.map(({ id }) => id)).toEqual(model.starts.map(({ id }) => id));
            expect(scheduler.running).toBe(model.running.size);
            expect(scheduler.queued).toBe(model.queued);
            expect(scheduler.size).toBe(model.running.size + model.queued);
            expect(scheduler.running).toBeLessThanOrEqual(concurrency);
            // Work-conserving: a key with queued work waits only behind its own running item or a full house.
            for (const [name, queue] of model.queues) {
              if (queue.length > 0)
                expect(model.running.has(name) || model.running.size === concurrency).toBe(true);
            }
            for (const waiter of waiters) {
              // Once nothing matching ran or waited after a step, the waiter must have resolved; before, not.
              if (!model.busy(waiter.matches)) waiter.due = true;
              expect(waiter.state.settled).toBe(waiter.due);
            }
          };

          const play = async (current: Step): Promise<void> => {
            switch (current.kind) {
              case 'push': {
                const job = { id: pushed.length, key: current.key, throws: current.throws };
                pushed.push(job);
                scheduler.push(job.key, job);
                model.push(job);
                break;
              }
              case 'finish': {
                const running = [...deferreds.keys()];
                if (running.length === 0) return;
                const id = running[current.pick % running.length] as number;
                const job = pushed[id] as Job;
                if (current.fail) {
                  expectedReports.push(id);
                  deferreds.get(id)?.reject(new Error(`async ${id}`));
                } else {
                  deferreds.get(id)?.resolve();
                }
                model.finish(job);
                break;
              }
              case 'drop': {
                const names = new Set(current.keys);
                const actual = scheduler.drop((job) => names.has(job.key));
                const expected = model.drop(current.keys);
                const byId = (a: Job, b: Job): number => a.id - b.id;
                expect([...actual].sort(byId)).toEqual([...expected].sort(byId));
                for (const job of actual) dropped.add(job.id);
                break;
              }
              case 'settle': {
                const names = current.keys === 'all' ? undefined : new Set(current.keys);
                const matches = (job: Job): boolean => names === undefined || names.has(job.key);
                const promise = names === undefined ? scheduler.whenIdle() : scheduler.whenSettled(matches);
                const state = { settled: false };
                void promise.then(() => {
                  state.settled = true;
                });
                waiters.push({ matches, state, due: false });
                break;
              }
            }
            await flush();
            check();
          };

          for (const current of steps) await play(current);
          // Finish everything that is left; nothing may stay behind.
          const idle = { settled: false };
          void scheduler.whenIdle().then(() => {
            idle.settled = true;
          });
          while (deferreds.size > 0) {
            const [id] = deferreds.keys();
            await play({ kind: 'finish', pick: [...deferreds.keys()].indexOf(id as number), fail: false });
          }
          await flush();
          expect(idle.settled).toBe(true);
          expect(scheduler.size).toBe(0);
          expect(waiters.every(({ state }) => state.settled)).toBe(true);
          // Every job ran exactly once unless it was dropped, and dropped jobs never ran.
          expect([...startedIds].sort((a, b) => a - b)).toEqual(
            pushed.filter(({ id }) => !dropped.has(id)).map(({ id }) => id),
          );
          expect(reported.sort((a, b) => a - b)).toEqual(expectedReports.sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});
