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

  it('rejects an invalid partition number', () => {
    expect(() => new OffsetLedger().ensure('a', -1)).toThrow(RangeError);
  });
});
