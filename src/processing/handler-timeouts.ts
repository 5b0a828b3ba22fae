/**
 * Handler timeouts without a timer per call. Every handler call has the same time limit, so deadlines
 * come in the order the calls started: the running calls sit in insertion order, and one timer waits for
 * the oldest. Starting and ending a call is a set insertion and deletion, which keeps the per-record cost
 * of a limit that almost never fires close to nothing.
 */

/** A running call, as {@link HandlerTimeouts.start} returns it. */
export interface RunningCall {
  readonly deadline: number;
  readonly onTimeout: () => void;
}

/** The time limit of every running handler call of one consumer. */
export class HandlerTimeouts {
  readonly #limitMs: number;
  readonly #now: () => number;
  readonly #running = new Set<RunningCall>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param limitMs - how long a call may run
   * @param now - the clock, in milliseconds
   */
  constructor(limitMs: number, now: () => number = Date.now) {
    this.#limitMs = limitMs;
    this.#now = now;
  }

  /** How many calls run. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Starts the clock of a call.
   *
   * @param onTimeout - called once if the call is still running at its deadline
   * @returns the call, for {@link HandlerTimeouts.end}
   */
  start(onTimeout: () => void): RunningCall {
    const call = { deadline: this.#now() + this.#limitMs, onTimeout };
    this.#running.add(call);
    if (this.#timer === undefined) this.#arm(call.deadline);
    return call;
  }

  /** The call finished (or timed out): forget it. */
  end(call: RunningCall): void {
    this.#running.delete(call);
    if (this.#running.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(deadline: number): void {
    this.#timer = setTimeout(
      () => {
        this.#expire();
      },
      Math.max(0, deadline - this.#now()),
    );
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    for (const call of this.#running) {
      // Insertion order is deadline order: the first call still in time ends the sweep.
      if (call.deadline > now) {
        this.#arm(call.deadline);
        return;
      }
      this.#running.delete(call);
      call.onTimeout();
    }
  }
}
