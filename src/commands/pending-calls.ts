/**
 * The calls of a command client that have not ended yet, and their deadlines: one timer for all of them
 * instead of one per call. Calls with the same timeout end in the order they started, so each timeout
 * keeps its calls in a set in start order (a set's insertion order) and only the first of each set can be
 * the next to time out; the one timer is set for the earliest of those.
 *
 * @module
 */
import type { Operation } from './operation.js';

/** The calls under way, each ended exactly once: by its outcome, its deadline or the client's close. */
export class PendingCalls {
  /** The calls by their timeout, each set in start order, which is deadline order. */
  readonly #byTimeout = new Map<number, Set<Operation>>();
  readonly #onTimeout: (operation: Operation) => void;
  readonly #onSettled: (operation: Operation) => void;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires; `Infinity` while none is set. */
  #timerAt = Number.POSITIVE_INFINITY;
  /** Whether the timer keeps the process alive: only while calls wait. */
  #timerHeld = false;

  /**
   * @param onTimeout - ends a call whose deadline passed (it calls {@link PendingCalls.settle})
   * @param onSettled - forgets a call elsewhere once it ended (e.g. its correlation id)
   */
  constructor(onTimeout: (operation: Operation) => void, onSettled: (operation: Operation) => void) {
    this.#onTimeout = onTimeout;
    this.#onSettled = onSettled;
  }

  /** The number of calls under way. */
  get size(): number {
    return this.#size;
  }

  /** Every call under way, in no particular order (a copy: ending them while iterating is safe). */
  all(): Operation[] {
    const operations: Operation[] = [];
    for (const bucket of this.#byTimeout.values()) operations.push(...bucket);
    return operations;
  }

  /**
   * Registers a call: it times out at `operation.deadline` unless it ends before.
   *
   * @param operation - a call that has not ended
   */
  add(operation: Operation): void {
    let bucket = this.#byTimeout.get(operation.timeoutMs);
    if (bucket === undefined) {
      bucket = new Set();
      this.#byTimeout.set(operation.timeoutMs, bucket);
    }
    bucket.add(operation);
    this.#size += 1;
    if (operation.deadline < this.#timerAt) this.#arm(operation.deadline);
    else if (!this.#timerHeld) {
      this.#timer?.ref();
      this.#timerHeld = true;
    }
  }

  /**
   * Ends a call once: forgets it, stops its wait for a response reader, then runs `settle` (which resolves
   * or rejects its promise). A call that already ended is left alone.
   *
   * @param operation - the call
   * @param settle - what ends it
   */
  settle(operation: Operation, settle: () => void): void {
    if (this.end(operation)) settle();
  }

  /**
   * Ends a call once, as {@link PendingCalls.settle}, for a caller that resolves or rejects it itself.
   *
   * @param operation - the call
   * @returns whether it was under way (the caller must now resolve or reject it), `false` if it had ended
   */
  end(operation: Operation): boolean {
    if (operation.settled) return false;
    operation.settled = true;
    const bucket = this.#byTimeout.get(operation.timeoutMs);
    if (bucket?.delete(operation) === true) {
      this.#size -= 1;
      if (bucket.size === 0) this.#byTimeout.delete(operation.timeoutMs);
      // A timer without calls does not keep the process alive; it is kept for the next call, as clearing
      // and setting one for every call of a caller that awaits each call was what one timer saves.
      if (this.#size === 0 && this.#timerHeld) {
        this.#timer?.unref();
        this.#timerHeld = false;
      }
    }
    operation.cancelWait();
    this.#onSettled(operation);
    return true;
  }

  /** Clears the timer: the client closed and no call is left to time out. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timerHeld = true;
    this.#timer = setTimeout(
      () => {
        this.#sweep();
      },
      Math.max(1, at - Date.now()),
    );
  }

  /** Times out every call whose deadline passed and sets the timer for the next deadline. */
  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const bucket of [...this.#byTimeout.values()]) {
      for (const operation of bucket) {
        if (operation.deadline > now) {
          next = Math.min(next, operation.deadline);
          break;
        }
        this.#onTimeout(operation);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    else this.#timerHeld = false;
  }
}
