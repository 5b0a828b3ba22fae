import { describe, expect, it } from 'vitest';
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { AbandonedKeys } from '../../../src/processing/abandoned-keys.js';

describe('AbandonedKeys', () => {
  it('blocks a key for the rest of its lease only', () => {
    const keys = new AbandonedKeys();
    const lease = new PartitionLease('hono.event.t', 0);
    const next = new PartitionLease('hono.event.t', 0);
    expect(keys.blocks(lease, 'd1')).toBe(false);
    keys.abandon(lease, 'd1');
    keys.abandon(lease, 'd1');
    expect(keys.blocks(lease, 'd1')).toBe(true);
    expect(keys.blocks(lease, 'd2')).toBe(false);
    // The partition's next ownership period starts with no blocked key.
    expect(keys.blocks(next, 'd1')).toBe(false);
  });
});
