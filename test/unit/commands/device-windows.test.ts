import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceWindows } from '../../../src/commands/device-windows.js';
import { DeviceUnreachableError } from '../../../src/errors.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

/** An event of device `deviceId` created `ago` ms before the fake clock's now, with `ttd`. */
function notification(deviceId: string, ttd: number | undefined, ago = 0) {
  return { tenantId: 't', deviceId, ttd, creationTime: new Date(Date.now() - ago) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('DeviceWindows', () => {
  it('knows nothing of a device before an event with ttd', () => {
    const windows = new DeviceWindows();
    windows.observe(notification('a', undefined));
    expect(windows.remainingMs('t', 'a')).toBe(0);
    expect(windows.window('t', 'a')).toBeUndefined();
    expect(windows.size).toBe(0);
  });

  it('opens a window for ttd seconds from the event, until further notice for -1, and closes it on 0', () => {
    const windows = new DeviceWindows();
    windows.observe(notification('a', 30, 10_000));
    expect(windows.remainingMs('t', 'a')).toBe(20_000);
    windows.observe(notification('b', -1));
    expect(windows.remainingMs('t', 'b')).toBe(Infinity);
    expect(windows.window('t', 'b')).toStrictEqual({ kind: 'untilFurtherNotice' });
    windows.observe(notification('b', 0));
    expect(windows.remainingMs('t', 'b')).toBe(0);
    vi.advanceTimersByTime(20_000);
    expect(windows.remainingMs('t', 'a')).toBe(0);
    expect(windows.size).toBe(0);
  });

  it('ignores an event older than the one the window was learned from', () => {
    const windows = new DeviceWindows();
    windows.observe(notification('a', -1));
    windows.observe(notification('a', 0, 5_000));
    expect(windows.remainingMs('t', 'a')).toBe(Infinity);
  });

  it('keeps tenants apart', () => {
    const windows = new DeviceWindows();
    windows.observe({ ...notification('a', -1), tenantId: 'other' });
    expect(windows.remainingMs('t', 'a')).toBe(0);
  });

  it('resolves a wait at once when the window is open, with the time left', async () => {
    const windows = new DeviceWindows();
    windows.observe(notification('a', 60));
    await expect(windows.whenReachable('t', 'a', { timeoutMs: 1_000 })).resolves.toBe(60_000);
  });

  it('resolves waits when an event opens the window, and forgets them', async () => {
    const windows = new DeviceWindows();
    const first = windows.whenReachable('t', 'a', { timeoutMs: 60_000 });
    const second = windows.whenReachable('t', 'a', { timeoutMs: 60_000 });
    expect(windows.waiting).toBe(2);
    vi.advanceTimersByTime(5_000);
    windows.observe(notification('a', 20));
    await expect(first).resolves.toBe(20_000);
    await expect(second).resolves.toBe(20_000);
    expect(windows.waiting).toBe(0);
  });

  it('rejects with DeviceUnreachableError when no window opens in time, and forgets the wait', async () => {
    const windows = new DeviceWindows();
    const waiting = windows.whenReachable('t', 'a', { timeoutMs: 3_000 });
    windows.observe(notification('a', 0));
    const rejected = expect(waiting).rejects.toBeInstanceOf(DeviceUnreachableError);
    vi.advanceTimersByTime(3_000);
    await rejected;
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_HONO_DEVICE_UNREACHABLE', deviceId: 'a' });
    expect(windows.waiting).toBe(0);
  });

  it('ends a wait when its signal aborts', async () => {
    const windows = new DeviceWindows();
    const controller = new AbortController();
    const waiting = windows.whenReachable('t', 'a', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(windows.waiting).toBe(0);
    await expect(
      windows.whenReachable('t', 'a', { timeoutMs: 60_000, signal: controller.signal }),
    ).rejects.toThrow('shutting down');
  });

  it('does not resolve a wait for an event that closes or an expired window', async () => {
    const windows = new DeviceWindows();
    const waiting = windows.whenReachable('t', 'a', { timeoutMs: 1_000 });
    windows.observe(notification('a', 10, 20_000));
    const rejected = expect(waiting).rejects.toBeInstanceOf(DeviceUnreachableError);
    vi.advanceTimersByTime(1_000);
    await rejected;
  });
});
