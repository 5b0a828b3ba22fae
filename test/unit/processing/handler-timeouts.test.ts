import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandlerTimeouts } from '../../../src/processing/handler-timeouts.js';

describe('HandlerTimeouts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('times out calls at their own deadlines with one timer', async () => {
    const timeouts = new HandlerTimeouts(1_000);
    const fired: string[] = [];
    timeouts.start(() => fired.push('a'));
    await vi.advanceTimersByTimeAsync(300);
    timeouts.start(() => fired.push('b'));
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(699);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(299);
    expect(fired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['a', 'b']);
    expect(timeouts.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fires for calls that ended, and stops its timer when none runs', async () => {
    const timeouts = new HandlerTimeouts(1_000);
    const onTimeout = vi.fn();
    const first = timeouts.start(onTimeout);
    await vi.advanceTimersByTimeAsync(500);
    const second = timeouts.start(onTimeout);
    timeouts.end(first);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(onTimeout).not.toHaveBeenCalled();
    timeouts.end(second);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('takes a call ended twice, or ended after it timed out, in its stride', async () => {
    const timeouts = new HandlerTimeouts(100);
    const fired: number[] = [];
    const first = timeouts.start(() => fired.push(1));
    const second = timeouts.start(() => fired.push(2));
    timeouts.end(second);
    timeouts.end(second);
    expect(timeouts.size).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([1]);
    timeouts.end(first);
    expect(timeouts.size).toBe(0);
    const third = timeouts.start(() => fired.push(3));
    expect(vi.getTimerCount()).toBe(1);
    timeouts.end(third);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for a call started after the oldest one ended', async () => {
    const timeouts = new HandlerTimeouts(100);
    const fired: number[] = [];
    const first = timeouts.start(() => fired.push(1));
    await vi.advanceTimersByTimeAsync(50);
    timeouts.start(() => fired.push(2));
    timeouts.end(first);
    await vi.advanceTimersByTimeAsync(99);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([2]);
  });
});
