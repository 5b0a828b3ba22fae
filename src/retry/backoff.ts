/**
 * Delays between attempts of a failing handler: exponential backoff with proportional jitter, and an
 * abortable sleep.
 *
 * @module
 */

/** How a failing handler is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 means no retry. The caller stops after this many. */
  readonly maxAttempts: number;
  /** The delay before the first retry, in milliseconds (at least 0). */
  readonly initialDelayMs: number;
  /** The upper bound of any delay, in milliseconds (at least 0). */
  readonly maxDelayMs: number;
  /** The growth of the delay per retry (at least 1). */
  readonly multiplier: number;
  /** The share of each delay that may randomly be taken off (0 to 1). */
  readonly jitter: number;
}

/** The longest delay a Node.js timer supports; a longer one would fire after 1 ms. */
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * The delay before a retry: `initialDelayMs * multiplier^(attempt - 1)`, capped at `maxDelayMs`, then
 * reduced by up to `jitter` of itself: `delay * (1 - jitter * random())`. Never negative.
 *
 * @param policy - the retry policy (`maxAttempts` is not used here)
 * @param attempt - which retry: 1 for the first retry (after the first failed attempt)
 * @param random - a source of numbers in [0, 1), `Math.random` by default; values outside [0, 1] are clamped
 * @returns the delay in milliseconds
 * @throws {RangeError} when `attempt` is not an integer of at least 1 or a policy field is out of range
 * @example
 * ```ts
 * const policy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2, jitter: 0 };
 * retryDelay(policy, 3); // 800
 * ```
 */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer of at least 1, got ${String(attempt)}`);
  }
  const { initialDelayMs, maxDelayMs, multiplier, jitter } = policy;
  if (!(initialDelayMs >= 0 && maxDelayMs >= 0 && multiplier >= 1 && jitter >= 0 && jitter <= 1)) {
    throw new RangeError(
      `retry policy out of range: initialDelayMs ${String(initialDelayMs)}, maxDelayMs ${String(maxDelayMs)}, ` +
        `multiplier ${String(multiplier)}, jitter ${String(jitter)}`,
    );
  }
  // A zero initial delay times an infinite power would be NaN; the delay is 0.
  const exponential = initialDelayMs === 0 ? 0 : initialDelayMs * multiplier ** (attempt - 1);
  const delay = Math.min(exponential, maxDelayMs);
  if (jitter === 0) return delay;
  const draw = random();
  const share = draw > 0 ? Math.min(draw, 1) : 0;
  return Math.max(0, delay * (1 - jitter * share));
}

/**
 * Waits, or stops waiting as soon as the signal aborts. It never rejects, and leaves neither a timer
 * nor a listener behind.
 *
 * @param ms - how long to wait, in milliseconds; capped at 2^31 - 1 (Node's timer limit)
 * @param signal - ends the wait early when it aborts (at once when it already has)
 * @returns a promise that resolves after `ms` or on abort, whichever comes first
 * @throws {RangeError} when `ms` is negative or NaN
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms >= 0)) throw new RangeError(`ms must be a non-negative number, got ${String(ms)}`);
  if (signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.min(ms, maxTimerDelayMs),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
