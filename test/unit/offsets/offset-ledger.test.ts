import { describe, expect, it } from 'vitest';
import { OffsetLedger } from '../../../src/offsets/offset-ledger.js';

describe('OffsetLedger', () => {
  it('creates a tracker once per topic-partition', () => {
    const ledger = new OffsetLedger();
    expect(ledger.get('a', 0)).toBeUndefined();
    const tracker = ledger.ensure('a', 0);
    expect(ledger.ensure('a', 0)).toBe(tracker);
    expect(ledger.get('a', 0)).toBe(tracker);
    expect(ledger.get('a', 1)).toBeUndefined();
    expect(ledger.get('b', 0)).toBeUndefined();
    expect([tracker.topic, tracker.partition]).toEqual(['a', 0]);
    expect(ledger.size).toBe(1);
  });

  it('deletes trackers', () => {
    const ledger = new OffsetLedger();
    ledger.ensure('a', 0);
    ledger.ensure('a', 1);
    expect(ledger.delete('a', 0)).toBe(true);
    expect(ledger.delete('a', 0)).toBe(false);
    expect(ledger.delete('b', 0)).toBe(false);
    expect(ledger.get('a', 0)).toBeUndefined();
    expect(ledger.get('a', 1)).toBeDefined();
    expect(ledger.delete('a', 1)).toBe(true);
    expect(ledger.size).toBe(0);
    expect([...ledger.entries()]).toEqual([]);
  });

  it('lists every tracker', () => {
    const ledger = new OffsetLedger();
    ledger.ensure('a', 1);
    ledger.ensure('b', 0);
    ledger.ensure('a', 0);
    expect([...ledger.entries()].map(({ topic, partition }) => `${topic}-${partition}`)).toEqual([
      'a-1',
      'a-0',
      'b-0',
    ]);
  });

  it('reports the positions that moved, and every position for a refresh', () => {
    const ledger = new OffsetLedger();
    ledger.ensure('empty', 0);
    const a = ledger.ensure('a', 0);
    a.track(10);
    a.track(11);
    const b = ledger.ensure('b', 2);
    b.track(5);
    b.complete(5);

    expect(ledger.commitPositions()).toEqual([
      { topic: 'a', partition: 0, offset: 10 },
      { topic: 'b', partition: 2, offset: 6 },
    ]);
    ledger.markCommitted([
      { topic: 'a', partition: 0, offset: 10 },
      { topic: 'b', partition: 2, offset: 6 },
      { topic: 'gone', partition: 0, offset: 3 },
    ]);
    expect(ledger.get('gone', 0)).toBeUndefined();
    expect(ledger.commitPositions()).toEqual([]);
    expect(ledger.refreshPositions()).toEqual([
      { topic: 'a', partition: 0, offset: 10 },
      { topic: 'b', partition: 2, offset: 6 },
    ]);

    a.complete(11);
    a.complete(10);
    expect(ledger.commitPositions()).toEqual([{ topic: 'a', partition: 0, offset: 12 }]);
    ledger.delete('a', 0);
    expect(ledger.commitPositions()).toEqual([]);
    expect(ledger.refreshPositions()).toEqual([{ topic: 'b', partition: 2, offset: 6 }]);
  });

  it('tracks through the current tracker while offsets increase', () => {
    const ledger = new OffsetLedger();
    const offsets = ledger.track('a', 0, 5);
    expect(ledger.get('a', 0)).toBe(offsets);
    expect(ledger.track('a', 0, 6)).toBe(offsets);
    expect(ledger.track('a', 0, 9)).toBe(offsets);
    expect(offsets.pending).toBe(3);
    // A tracker made by ensure() takes the first record too.
    const empty = ledger.ensure('b', 1);
    expect(ledger.track('b', 1, 0)).toBe(empty);
    expect(ledger.size).toBe(2);
  });

  it('starts a new generation when an offset goes back, and commits nothing until the old records finished', () => {
    const ledger = new OffsetLedger();
    const before = ledger.track('a', 0, 41);
    ledger.track('a', 0, 42);
    before.complete(41);
    ledger.markCommitted(ledger.commitPositions());
    expect(before.committed).toBe(42);

    // The topic was recreated (or the log truncated): offsets start lower again.
    const after = ledger.track('a', 0, 0);
    expect(after).not.toBe(before);
    expect(ledger.get('a', 0)).toBe(after);
    expect(ledger.size).toBe(1);
    expect(ledger.track('a', 0, 1)).toBe(after);
    expect(after.committed).toBe(42);
    expect(after.pending).toBe(3);
    after.complete(0);
    after.complete(1);
    expect(ledger.commitPositions()).toEqual([]);
    expect(ledger.refreshPositions()).toEqual([]);

    // The record fetched before the rewind finishes on the tracker that tracked it.
    before.complete(42);
    expect(ledger.commitPositions()).toEqual([{ topic: 'a', partition: 0, offset: 2 }]);
    ledger.markCommitted([{ topic: 'a', partition: 0, offset: 2 }]);
    expect(after.committed).toBe(2);
    expect(ledger.commitPositions()).toEqual([]);
  });

  it('commits the new position at once when nothing was pending at the rewind', () => {
    const ledger = new OffsetLedger();
    const before = ledger.track('a', 0, 7);
    before.complete(7);
    ledger.markCommitted([{ topic: 'a', partition: 0, offset: 8 }]);
    const after = ledger.track('a', 0, 7);
    expect(after).not.toBe(before);
    expect(ledger.commitPositions()).toEqual([{ topic: 'a', partition: 0, offset: 7 }]);
  });

  it('chains two rewinds in a row and forgets every generation on delete', () => {
    const ledger = new OffsetLedger();
    const first = ledger.track('a', 0, 100);
    const second = ledger.track('a', 0, 50);
    const third = ledger.track('a', 0, 50);
    expect(new Set([first, second, third]).size).toBe(3);
    second.complete(50);
    third.complete(50);
    expect(third.pending).toBe(1);
    expect(ledger.commitPositions()).toEqual([]);
    first.complete(100);
    expect(ledger.commitPositions()).toEqual([{ topic: 'a', partition: 0, offset: 51 }]);
    expect(ledger.delete('a', 0)).toBe(true);
    expect(ledger.get('a', 0)).toBeUndefined();
    expect(ledger.track('a', 0, 0).pending).toBe(1);
  });

  it.each([-1, 1.5, Number.NaN])('rejects tracking offset %s and keeps the current tracker', (offset) => {
    const ledger = new OffsetLedger();
    const offsets = ledger.track('a', 0, 3);
    expect(() => ledger.track('a', 0, offset)).toThrow(RangeError);
    expect(ledger.get('a', 0)).toBe(offsets);
    expect(offsets.pending).toBe(1);
    expect(() => ledger.track('b', 0, offset)).toThrow(RangeError);
    expect(ledger.get('b', 0)).toBeUndefined();
  });

  it('rejects an invalid partition number', () => {
    expect(() => new OffsetLedger().ensure('a', -1)).toThrow(RangeError);
    expect(() => new OffsetLedger().track('a', -1, 0)).toThrow(RangeError);
  });
});
