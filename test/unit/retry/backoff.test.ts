import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryDelay, sleep, type RetryPolicy } from '../../../src/retry/backoff.js';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 10,
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0,
  ...overrides,
});

describe('retryDelay', () => {
  it.each<[string, Partial<RetryPolicy>, number, number]>([
    ['first retry', {}, 1, 200],
    ['second retry', {}, 2, 400],
    ['fifth retry', {}, 5, 3200],
    ['capped', {}, 9, 30_000],
    ['capped far out', {}, 1000, 30_000],
    ['multiplier 1 is constant', { multiplier: 1 }, 7, 200],
    ['multiplier 1.5', { multiplier: 1.5 }, 3, 450],
    ['initial above the cap', { initialDelayMs: 50_000 }, 1, 30_000],
    ['zero initial delay', { initialDelayMs: 0 }, 5000, 0],
    ['zero cap', { maxDelayMs: 0 }, 3, 0],
  ])('%s', (_name, overrides, attempt, expected) => {
    expect(retryDelay(policy(overrides), attempt)).toBe(expected);
  });

  it.each<[number, number, number, number]>([
    // jitter, random(), attempt, expected: delay * (1 - jitter * random)
    [0.5, 0, 1, 200],
    [0.5, 0.5, 1, 150],
    [0.5, 0.999, 3, 800 * (1 - 0.5 * 0.999)],
    [0.2, 1, 2, 320],
    [1, 0.75, 1, 50],
    [1, 1, 1, 0],
    [0.3, 0.5, 20, 30_000 * 0.85],
    // Out-of-range draws are clamped into [0, 1]; the delay never goes negative nor above the base.
    [1, 5, 1, 0],
    [0.5, -3, 1, 200],
    [0.5, Number.NaN, 1, 200],
  ])('jitter %s with random() = %s on attempt %s gives %s', (jitter, draw, attempt, expected) => {
    expect(retryDelay(policy({ jitter }), attempt, () => draw)).toBeCloseTo(expected, 9);
  });

  it('stays within [delay * (1 - jitter), delay] for Math.random', () => {
    for (let run = 0; run < 200; run += 1) {
      const delay = retryDelay(policy({ jitter: 0.2 }), 3);
      expect(delay).toBeGreaterThanOrEqual(640);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('does not draw a random number when there is no jitter', () => {
    const random = vi.fn(() => 0.5);
    retryDelay(policy(), 2, random);
    expect(random).not.toHaveBeenCalled();
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempt %s', (attempt) => {
    expect(() => retryDelay(policy(), attempt)).toThrow(RangeError);
  });

  it.each<[string, Partial<RetryPolicy>]>([
    ['negative initial delay', { initialDelayMs: -1 }],
    ['negative cap', { maxDelayMs: -1 }],
    ['multiplier below 1', { multiplier: 0.5 }],
    ['jitter above 1', { jitter: 1.1 }],
    ['negative jitter', { jitter: -0.1 }],
    ['NaN multiplier', { multiplier: Number.NaN }],
  ])('rejects a policy with %s', (_name, overrides) => {
    expect(() => retryDelay(policy(overrides), 1)).toThrow(RangeError);
  });
});

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Tracks whether a promise has resolved. */
  function watch(promise: Promise<void>): { resolved: boolean } {
    const state = { resolved: false };
    void promise.then(() => {
      state.resolved = true;
    });
    return state;
  }

  it('resolves after the delay', async () => {
    const slept = watch(sleep(1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(slept.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(slept.resolved).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves early, without rejecting, when the signal aborts, and leaves no timer', async () => {
    const controller = new AbortController();
    const promise = sleep(60_000, controller.signal);
    const slept = watch(promise);
    await vi.advanceTimersByTimeAsync(100);
    expect(slept.resolved).toBe(false);
    controller.abort(new Error('revoked'));
    await expect(promise).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once for an aborted signal, creating no timer', async () => {
    const promise = sleep(60_000, AbortSignal.abort());
    expect(vi.getTimerCount()).toBe(0);
    await expect(promise).resolves.toBeUndefined();
  });

  it('removes its abort listener when the time is up', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const promise = sleep(10, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    await promise;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort(); // nothing left to call
  });

  it('caps a delay beyond the timer limit instead of firing at once', async () => {
    const slept = watch(sleep(Number.POSITIVE_INFINITY));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slept.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(slept.resolved).toBe(true);
  });

  it('resolves a zero delay on the next timer tick', async () => {
    const slept = watch(sleep(0));
    await vi.advanceTimersByTimeAsync(0);
    expect(slept.resolved).toBe(true);
  });

  it.each([-1, Number.NaN])('rejects ms %s', (ms) => {
    expect(() => sleep(ms)).toThrow(RangeError);
  });
});
