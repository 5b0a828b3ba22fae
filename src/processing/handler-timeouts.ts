/**
 * Handler timeouts without a timer per call. Every handler call has the same time limit, so deadlines
 * come in the order the calls started: the running calls form a list in start order, and one timer waits
 * for the oldest. Starting and ending a call is an O(1) link and unlink.
 *
 * A doubly linked list rather than a `Set`: the list's ends are cleared as calls end, so a finished
 * call (and the record its closure holds) is garbage at once. Entries of a long-lived `Set` kept records
 * alive through young-generation collections and tripled the time spent in garbage collection.
 */

/** A running call, as {@link HandlerTimeouts.start} returns it. */
export interface RunningCall {
  readonly deadline: number;
}

interface Node extends RunningCall {
  onTimeout: (() => void) | undefined;
  previous: Node | undefined;
  next: Node | undefined;
}

/** The time limit of every running handler call of one consumer. */
export class HandlerTimeouts {
  readonly #limitMs: number;
  readonly #now: () => number;
  #oldest: Node | undefined;
  #newest: Node | undefined;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  #late: HandlerTimeouts | undefined;

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
    return this.#size;
  }

  /**
   * The clocks of calls that ran past their limit and still run (their handler ignores its `signal`):
   * each gets the same limit once more, from its timeout on, before it is reported.
   *
   * @returns the late calls' timeouts, made on first use
   */
  get late(): HandlerTimeouts {
    this.#late ??= new HandlerTimeouts(this.#limitMs, this.#now);
    return this.#late;
  }

  /**
   * Starts the clock of a call.
   *
   * @param onTimeout - called once if the call is still running at its deadline
   * @returns the call, for {@link HandlerTimeouts.end}
   */
  start(onTimeout: () => void): RunningCall {
    const node: Node = {
      deadline: this.#now() + this.#limitMs,
      onTimeout,
      previous: this.#newest,
      next: undefined,
    };
    if (this.#newest === undefined) this.#oldest = node;
    else this.#newest.next = node;
    this.#newest = node;
    this.#size += 1;
    if (this.#timer === undefined) this.#arm(node.deadline);
    return node;
  }

  /** The call finished (or timed out): forget it. Ending a call twice is harmless. */
  end(call: RunningCall): void {
    const node = call as Node;
    if (node.onTimeout === undefined) return;
    node.onTimeout = undefined;
    if (node.previous === undefined) this.#oldest = node.next;
    else node.previous.next = node.next;
    if (node.next === undefined) this.#newest = node.previous;
    else node.next.previous = node.previous;
    node.previous = undefined;
    node.next = undefined;
    this.#size -= 1;
    if (this.#size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
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
    // Start order is deadline order: the first call still in time ends the sweep.
    for (let node = this.#oldest; node !== undefined; node = this.#oldest) {
      if (node.deadline > now) {
        this.#arm(node.deadline);
        return;
      }
      const onTimeout = node.onTimeout;
      this.end(node);
      onTimeout?.();
    }
  }
}
