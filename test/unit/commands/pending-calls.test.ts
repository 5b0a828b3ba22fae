/**
 * The command client's one timer for every call's deadline: each call times out at its own deadline,
 * whatever the timeouts of the others, and a call that ended is never timed out.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newOperation, type Operation } from '../../../src/commands/operation.js';
import { PendingCalls } from '../../../src/commands/pending-calls.js';

/** A call started now with `timeoutMs`. */
function call(name: string, timeoutMs: number): Operation {
  const noop = (): void => undefined;
  return newOperation('oneWay', { tenant: 't', deviceId: 'd', name }, undefined, timeoutMs, noop, noop);
}

let timedOut: { name: string; at: number }[];
let settled: string[];
let calls: PendingCalls;
const start = 1_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  timedOut = [];
  settled = [];
  calls = new PendingCalls(
    (operation) => {
      calls.settle(operation, () => {
        timedOut.push({ name: operation.name, at: Date.now() - start });
      });
    },
    (operation) => settled.push(operation.name),
  );
});
afterEach(() => {
  calls.stop();
  vi.useRealTimers();
});

describe('PendingCalls', () => {
  it('times each call out at its own deadline, also a shorter one started after a longer one', async () => {
    calls.add(call('long', 5_000));
    await vi.advanceTimersByTimeAsync(100);
    calls.add(call('short', 1_000));
    calls.add(call('short-2', 1_000));
    await vi.advanceTimersByTimeAsync(50);
    calls.add(call('middle', 2_000));
    await vi.advanceTimersByTimeAsync(6_000);
    expect(timedOut).toEqual([
      { name: 'short', at: 1_100 },
      { name: 'short-2', at: 1_100 },
      { name: 'middle', at: 2_150 },
      { name: 'long', at: 5_000 },
    ]);
    expect(calls.size).toBe(0);
  });

  it('never times out a call that ended, and times out the next one on time', async () => {
    const first = call('first', 1_000);
    calls.add(first);
    await vi.advanceTimersByTimeAsync(400);
    calls.add(call('second', 1_000));
    calls.settle(first, () => undefined);
    calls.settle(first, () => {
      throw new Error('settled twice');
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(timedOut).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(timedOut).toEqual([{ name: 'second', at: 1_400 }]);
    expect(settled).toEqual(['first', 'second']);
  });

  it('holds the process only while calls wait, and lists what is under way', async () => {
    const first = call('a', 1_000);
    calls.add(first);
    calls.add(call('b', 3_000));
    expect(
      calls
        .all()
        .map((operation) => operation.name)
        .sort(),
    ).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls.size).toBe(0);
    // Nothing left to time out: no timer is set any more.
    expect(vi.getTimerCount()).toBe(0);
    calls.add(call('c', 500));
    expect(vi.getTimerCount()).toBe(1);
    calls.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
