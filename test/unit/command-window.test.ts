import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  CommandWindowKind,
  commandWindow,
  expiresAt,
  isDeviceReachable,
  isExpired,
  remainingCommandWindow,
} from '../../src/command-window.js';

const created = new Date('2024-04-05T19:21:18.901Z');
const at = (ms: number): number => created.getTime() + ms;

describe('command window (ttd), as Hono defines it', () => {
  it('ttd -1: reachable until further notice', () => {
    const source = { creationTime: created, ttd: -1 };
    expect(commandWindow(source)).toEqual({ kind: CommandWindowKind.UntilFurtherNotice });
    expect(isDeviceReachable(source, at(0))).toBe(true);
    expect(isDeviceReachable(source, at(365 * 24 * 3600 * 1000))).toBe(true);
    expect(remainingCommandWindow(source, at(10))).toBe(Infinity);
  });

  it.each([0, undefined])('ttd %o: not reachable', (ttd) => {
    const source = { creationTime: created, ttd };
    expect(commandWindow(source)).toEqual({ kind: CommandWindowKind.Closed });
    expect(isDeviceReachable(source, at(-1000))).toBe(false);
    expect(isDeviceReachable(source, at(0))).toBe(false);
    expect(remainingCommandWindow(source, at(0))).toBe(0);
  });

  it('ttd 60: reachable while now < creation-time + 60 s, not at the boundary', () => {
    const source = { creationTime: created, ttd: 60 };
    expect(commandWindow(source)).toEqual({ kind: CommandWindowKind.Until, until: new Date(at(60_000)) });
    expect(isDeviceReachable(source, at(0))).toBe(true);
    expect(isDeviceReachable(source, at(59_999))).toBe(true);
    expect(isDeviceReachable(source, at(60_000))).toBe(false);
    expect(isDeviceReachable(source, new Date(at(60_001)))).toBe(false);
    expect(remainingCommandWindow(source, at(15_000))).toBe(45_000);
    expect(remainingCommandWindow(source, at(90_000))).toBe(0);
  });

  it('defaults now to the current time', () => {
    const fresh = { creationTime: new Date(), ttd: 3600 };
    const stale = { creationTime: new Date(Date.now() - 7200_000), ttd: 3600 };
    expect(isDeviceReachable(fresh)).toBe(true);
    expect(isDeviceReachable(stale)).toBe(false);
    expect(remainingCommandWindow(fresh)).toBeGreaterThan(3_590_000);
  });

  test.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: -1e7, max: 3e12 })])(
    'a positive ttd: reachable exactly while the remaining window is positive',
    (ttd, offset) => {
      const source = { creationTime: created, ttd };
      const now = at(offset);
      expect(isDeviceReachable(source, now)).toBe(remainingCommandWindow(source, now) > 0);
      expect(isDeviceReachable(source, now)).toBe(now < created.getTime() + ttd * 1000);
    },
  );
});

describe('expiry (ttl), as Hono code decides it', () => {
  it('expired only when creation-time + ttl < now', () => {
    const source = { creationTime: created, ttl: 5000 };
    expect(expiresAt(source)).toEqual(new Date(at(5000)));
    expect(isExpired(source, at(4999))).toBe(false);
    expect(isExpired(source, at(5000))).toBe(false);
    expect(isExpired(source, at(5001))).toBe(true);
    expect(isExpired(source, new Date(at(5001)))).toBe(true);
  });

  it('never expires without ttl', () => {
    const source = { creationTime: created, ttl: undefined };
    expect(expiresAt(source)).toBeUndefined();
    expect(isExpired(source, at(1e12))).toBe(false);
  });

  it('ttl 0 expires right after creation', () => {
    const source = { creationTime: created, ttl: 0 };
    expect(isExpired(source, at(0))).toBe(false);
    expect(isExpired(source, at(1))).toBe(true);
  });

  it('defaults now to the current time', () => {
    expect(isExpired({ creationTime: new Date(Date.now() - 10_000), ttl: 1000 })).toBe(true);
    expect(isExpired({ creationTime: new Date(), ttl: 60_000 })).toBe(false);
  });
});
