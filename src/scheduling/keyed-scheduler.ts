/**
 * Runs async work one item at a time per key, different keys concurrently up to a global limit.
 *
 * @module
 */

/** Drop the consumed front of a queue array once it is this long and at least half of the array. */
const compactAfter = 1024;

/**
 * The concurrency slot of a running item, as its work receives it: the work may give the slot back
 * while it only waits (a retry delay, a pause), so that other keys run meanwhile.
 */
export interface Slot {
  /**
   * Gives the slot back while `wait` is pending and takes one again before it settles. The item keeps
   * its key meanwhile: the key's next item does not start. Items that take their slot back go before
   * keys that wait to start.
   *
   * @param wait - what the work waits for
   * @returns what `wait` resolves to (or its rejection), once the item holds a slot again
   */
  idle<R>(wait: Promise<R>): Promise<R>;
}

/**
 * What `run` returns for work that calls its `done` callback itself when it finishes: no promise is made
 * or awaited for it. The engine's record flow finishes each record this way.
 */
export const finishesLater: unique symbol = Symbol('finishes later');

/** What the work of an item returns: a promise of its end, undefined when done, or {@link finishesLater}. */
export type Run = Promise<void> | undefined | typeof finishesLater;

/** Options of a {@link KeyedScheduler}. */
export interface KeyedSchedulerOptions<T> {
  /** How many items may run at once, over all keys: an integer of at least 1. */
  readonly concurrency: number;
  /**
   * Does the work of one item. By contract it never rejects: the caller handles its own errors. An item
   * counts as finished when the returned promise settles, at once when `run` returns undefined (work
   * that completed synchronously costs no promise), or, when `run` returns {@link finishesLater}, when
   * the work calls `done` (once; later calls are ignored). It is given the item's key too, and its slot.
   */
  readonly run: (item: T, key: string, slot: Slot, done: () => void) => Run;
  /**
   * Told when `run` threw or rejected anyway; the item still counts as finished and its key goes on.
   * Without it, such an error is left as an unhandled rejection (as it would be without the scheduler),
   * and so is an error thrown by this callback.
   */
  readonly onUnexpectedError?: ((error: unknown, item: T) => void) | undefined;
}

/** The items of one key: the queued ones from `head` on, and whether one runs. */
interface KeyQueue<T> {
  readonly key: string;
  items: (T | undefined)[];
  head: number;
  running: boolean;
  /** The running item (meaningful while `running`). */
  current: T | undefined;
  /** The running item gave its slot back (see {@link Slot.idle}). */
  idle: boolean;
  /** The slot that the queue's running items receive. */
  slot: Slot | undefined;
}

/** A caller of `whenSettled`/`whenIdle`: resolved when `remaining` matching items reach 0. */
interface Waiter<T> {
  readonly matches: (item: T) => boolean;
  remaining: number;
  readonly resolve: () => void;
}

/**
 * Runs async work per key in push order, one item of a key at a time, items of different keys
 * concurrently up to `concurrency`. When a slot frees, the key that has waited longest goes first.
 * An item starts synchronously within {@link KeyedScheduler.push} when it can, otherwise when a slot
 * frees. Push, start and finish are O(1) amortized.
 *
 * @typeParam T - the work item
 * @example
 * ```ts
 * const scheduler = new KeyedScheduler<Job>({ concurrency: 32, run: (job) => handle(job) });
 * scheduler.push(job.deviceId, job);
 * await scheduler.whenIdle();
 * ```
 */
export class KeyedScheduler<T> {
  readonly #concurrency: number;
  readonly #run: (item: T, key: string, slot: Slot, done: () => void) => Run;
  readonly #onUnexpectedError: ((error: unknown, item: T) => void) | undefined;
  /** Keys with a running or queued item. */
  readonly #keys = new Map<string, KeyQueue<T>>();
  /** Keys with queued items and none running, from `#readyHead` on, longest waiting first. */
  #ready: (KeyQueue<T> | undefined)[] = [];
  #readyHead = 0;
  /** Items that hold a slot. */
  #running = 0;
  /** Started items that gave their slot back, and wait. */
  #idle = 0;
  #queued = 0;
  /** Idle items waiting to take a slot again, first come first served. */
  #resuming: { readonly queue: KeyQueue<T>; readonly resolve: () => void }[] = [];
  #pumping = false;
  readonly #waiters = new Set<Waiter<T>>();
  #roomWaiters: { readonly limit: number; readonly resolve: () => void }[] = [];

  /**
   * Creates an idle scheduler.
   *
   * @param options - the concurrency limit, the work and an optional error report
   * @throws {RangeError} when `concurrency` is not an integer of at least 1
   */
  constructor(options: KeyedSchedulerOptions<T>) {
    if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(
        `concurrency must be an integer of at least 1, got ${String(options.concurrency)}`,
      );
    }
    this.#concurrency = options.concurrency;
    this.#run = options.run;
    this.#onUnexpectedError = options.onUnexpectedError;
  }

  /**
   * How many items run now, holding a slot (at most `concurrency`).
   *
   * @returns the count
   */
  get running(): number {
    return this.#running;
  }

  /**
   * How many started items wait without a slot (see {@link Slot.idle}).
   *
   * @returns the count
   */
  get idle(): number {
    return this.#idle;
  }

  /**
   * How many items wait to run.
   *
   * @returns the count
   */
  get queued(): number {
    return this.#queued;
  }

  /**
   * How many items run or wait.
   *
   * @returns running + idle + queued
   */
  get size(): number {
    return this.#running + this.#idle + this.#queued;
  }

  /**
   * Enqueues an item. It starts (synchronously, when possible) once every earlier item of its key has
   * finished and fewer than `concurrency` items run.
   *
   * @param key - the ordering key: items of one key run one at a time, in push order
   * @param item - the work item
   */
  push(key: string, item: T): void {
    let queue = this.#keys.get(key);
    if (queue === undefined) {
      queue = { key, items: [], head: 0, running: false, current: undefined, idle: false, slot: undefined };
      this.#keys.set(key, queue);
    }
    const wasWaiting = queue.head < queue.items.length;
    queue.items.push(item);
    this.#queued += 1;
    if (this.#waiters.size > 0) {
      for (const waiter of this.#waiters) if (waiter.matches(item)) waiter.remaining += 1;
    }
    if (!queue.running && !wasWaiting) {
      this.#ready.push(queue);
      this.#pump();
    }
  }

  /**
   * Removes queued items (running ones are not touched), e.g. those of a revoked partition.
   *
   * @param predicate - selects the items to remove
   * @returns the removed items, per key in push order
   */
  drop(predicate: (item: T) => boolean): T[] {
    const dropped: T[] = [];
    for (const queue of this.#keys.values()) {
      const kept: T[] = [];
      for (let index = queue.head; index < queue.items.length; index += 1) {
        const item = queue.items[index] as T;
        (predicate(item) ? dropped : kept).push(item);
      }
      if (kept.length === queue.items.length - queue.head) continue;
      queue.items = kept;
      queue.head = 0;
      if (kept.length === 0 && !queue.running) this.#keys.delete(queue.key);
    }
    if (dropped.length === 0) return dropped;
    this.#queued -= dropped.length;
    const ready: KeyQueue<T>[] = [];
    for (let index = this.#readyHead; index < this.#ready.length; index += 1) {
      const queue = this.#ready[index] as KeyQueue<T>;
      if (queue.head < queue.items.length) ready.push(queue);
    }
    this.#ready = ready;
    this.#readyHead = 0;
    for (const item of dropped) this.#settled(item);
    return dropped;
  }

  /**
   * Waits until at most `limit` items run or wait: room for more work.
   *
   * @param limit - the size to wait for
   * @returns a promise that resolves then (at once when the size is there already); it never rejects
   */
  whenSizeAtMost(limit: number): Promise<void> {
    if (this.size <= limit) return Promise.resolve();
    return new Promise((resolve) => {
      this.#roomWaiters.push({ limit, resolve });
    });
  }

  /**
   * Waits until nothing runs or is queued.
   *
   * @returns a promise that resolves then (at once when idle already); it never rejects
   */
  whenIdle(): Promise<void> {
    return this.#wait(everything, this.size);
  }

  /**
   * Waits until no running or queued item matches, e.g. to drain one partition on revoke. Matching
   * items pushed meanwhile are waited for too.
   *
   * @param predicate - selects the items to wait for
   * @returns a promise that resolves then (at once when none matches now); it never rejects
   */
  whenSettled(predicate: (item: T) => boolean): Promise<void> {
    let remaining = 0;
    for (const queue of this.#keys.values()) {
      if (queue.running && predicate(queue.current as T)) remaining += 1;
      for (let index = queue.head; index < queue.items.length; index += 1) {
        if (predicate(queue.items[index] as T)) remaining += 1;
      }
    }
    return this.#wait(predicate, remaining);
  }

  #wait(matches: (item: T) => boolean, remaining: number): Promise<void> {
    if (remaining === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.add({ matches, remaining, resolve });
    });
  }

  /** Starts items while slots are free and keys are ready; re-entrant calls leave it to the outer loop. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (
        this.#running < this.#concurrency &&
        (this.#resuming.length > 0 || this.#readyHead < this.#ready.length)
      ) {
        const resuming = this.#resuming.shift();
        if (resuming !== undefined) {
          resuming.queue.idle = false;
          this.#idle -= 1;
          this.#running += 1;
          resuming.resolve();
          continue;
        }
        const queue = this.#ready[this.#readyHead] as KeyQueue<T>;
        this.#ready[this.#readyHead] = undefined;
        this.#readyHead += 1;
        const item = queue.items[queue.head] as T;
        queue.items[queue.head] = undefined;
        queue.head += 1;
        compact(queue);
        queue.running = true;
        queue.current = item;
        this.#queued -= 1;
        this.#running += 1;
        this.#start(queue, item);
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#readyHead === this.#ready.length) {
      this.#ready.length = 0;
      this.#readyHead = 0;
    } else if (this.#readyHead >= compactAfter && this.#readyHead * 2 >= this.#ready.length) {
      this.#ready.splice(0, this.#readyHead);
      this.#readyHead = 0;
    }
  }

  #start(queue: KeyQueue<T>, item: T): void {
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      this.#finish(queue, item);
    };
    let result: Run;
    try {
      result = this.#run(item, queue.key, this.#slotOf(queue), done);
    } catch (error) {
      // A synchronous throw finishes like a rejection: later, and never out of push().
      void Promise.resolve().then(() => {
        done();
        this.#report(error, item);
      });
      return;
    }
    if (result === finishesLater) return;
    // Finished already: the loop in #pump goes on with the next item (no recursion: #pump is guarded).
    if (result === undefined) done();
    else
      result.then(done, (error: unknown) => {
        done();
        this.#report(error, item);
      });
  }

  /** The slot of the running item of `queue`: one object per queue, made when first needed. */
  #slotOf(queue: KeyQueue<T>): Slot {
    queue.slot ??= {
      idle: async <R>(wait: Promise<R>): Promise<R> => {
        this.#giveBack(queue);
        try {
          return await wait;
        } finally {
          await this.#takeBack(queue);
        }
      },
    };
    return queue.slot;
  }

  /** The running item of `queue` waits: its slot goes to the next item or key in line. */
  #giveBack(queue: KeyQueue<T>): void {
    if (queue.idle) return;
    queue.idle = true;
    this.#running -= 1;
    this.#idle += 1;
    this.#pump();
  }

  /** The running item of `queue` goes on: resolves once it holds a slot again. */
  #takeBack(queue: KeyQueue<T>): Promise<void> {
    if (!queue.idle) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#resuming.push({ queue, resolve });
      this.#pump();
    });
  }

  #finish(queue: KeyQueue<T>, item: T): void {
    if (queue.idle) {
      // Finished without taking its slot back (the work did not await `idle`).
      queue.idle = false;
      this.#idle -= 1;
      this.#resuming = this.#resuming.filter((resuming) => resuming.queue !== queue);
    } else this.#running -= 1;
    queue.running = false;
    queue.current = undefined;
    if (queue.head < queue.items.length) this.#ready.push(queue);
    else this.#keys.delete(queue.key);
    this.#settled(item);
    this.#pump();
  }

  /** Counts a finished or dropped item off the waiters that wait for it. */
  #settled(item: T): void {
    if (this.#roomWaiters.length > 0) this.#roomMade();
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) {
      if (!waiter.matches(item)) continue;
      waiter.remaining -= 1;
      if (waiter.remaining === 0) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  #roomMade(): void {
    const size = this.size;
    const waiting = this.#roomWaiters;
    if (!waiting.some((waiter) => size <= waiter.limit)) return;
    this.#roomWaiters = waiting.filter((waiter) => size > waiter.limit);
    for (const waiter of waiting) if (size <= waiter.limit) waiter.resolve();
  }

  #report(error: unknown, item: T): void {
    if (this.#onUnexpectedError === undefined) throw error;
    this.#onUnexpectedError(error, item);
  }
}

function everything(): boolean {
  return true;
}

/** Resets a drained queue array, or drops its consumed front once that is large. */
function compact<T>(queue: KeyQueue<T>): void {
  if (queue.head === queue.items.length) {
    queue.items.length = 0;
    queue.head = 0;
  } else if (queue.head >= compactAfter && queue.head * 2 >= queue.items.length) {
    queue.items.splice(0, queue.head);
    queue.head = 0;
  }
}
