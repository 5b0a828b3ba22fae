import { describe, expect, it } from 'vitest';
import { PartitionLease, PartitionTable } from '../../../src/engine/partition-table.js';

const p0 = { topic: 'hono.event.acme', partition: 0 };
const p1 = { topic: 'hono.event.acme', partition: 1 };
const other = { topic: 'hono.event.globex', partition: 0 };

describe('PartitionLease', () => {
  it('starts with neither signal aborted and nothing paused', () => {
    const lease = new PartitionLease('hono.event.acme', 3);
    expect(lease).toMatchObject({ topic: 'hono.event.acme', partition: 3 });
    expect(lease.halt.aborted).toBe(false);
    expect(lease.abort.aborted).toBe(false);
    expect(lease.pausedFor.size).toBe(0);
  });

  it('counts the records failing for good: the failure pause ends with the last of them', () => {
    const lease = new PartitionLease('hono.event.acme', 0);
    lease.failureStarted();
    lease.failureStarted();
    expect(lease.failing).toBe(2);
    expect(lease.failureEnded()).toBe(false);
    expect(lease.failureEnded()).toBe(true);
    // An extra end (never expected) does not go below zero.
    expect(lease.failureEnded()).toBe(true);
    expect(lease.failing).toBe(0);
  });

  it('halted() stops new attempts but lets running handlers go on', () => {
    const lease = new PartitionLease('hono.event.acme', 0);
    lease.halted();
    expect(lease.halt.aborted).toBe(true);
    expect(lease.abort.aborted).toBe(false);
  });

  it('aborted() ends both, and fires each listener once however often it is called', () => {
    const lease = new PartitionLease('hono.event.acme', 0);
    const fired: string[] = [];
    lease.halt.addEventListener('abort', () => fired.push('halt'));
    lease.abort.addEventListener('abort', () => fired.push('abort'));
    lease.halted();
    lease.aborted();
    lease.aborted();
    expect(lease.halt.aborted).toBe(true);
    expect(lease.abort.aborted).toBe(true);
    expect(fired).toStrictEqual(['halt', 'abort']);
  });
});

describe('PartitionTable', () => {
  it('gives each assigned partition a lease of its own', () => {
    const table = new PartitionTable();
    const leases = table.assign([p0, p1, other]);
    expect(leases.map(({ topic, partition }) => ({ topic, partition }))).toStrictEqual([p0, p1, other]);
    expect(new Set(leases).size).toBe(3);
    expect(table.get(p1.topic, p1.partition)).toBe(leases[1]);
    expect(table.size).toBe(3);
    expect(table.all()).toStrictEqual(leases);
    for (const lease of leases) expect(table.isCurrent(lease)).toBe(true);
  });

  it('tells partitions apart whose topic and number run together', () => {
    const table = new PartitionTable();
    table.assign([{ topic: 'a', partition: 12 }]);
    expect(table.get('a1', 2)).toBeUndefined();
    expect(table.get('a', 12)).toBeDefined();
  });

  it('gives a re-assigned partition a new lease and aborts the old one', () => {
    const table = new PartitionTable();
    const [old] = table.assign([p0]);
    const [renewed] = table.assign([p0]);
    expect(renewed).not.toBe(old);
    expect(old?.halt.aborted).toBe(true);
    expect(old?.abort.aborted).toBe(true);
    expect(renewed?.abort.aborted).toBe(false);
    expect(table.isCurrent(old as PartitionLease)).toBe(false);
    expect(table.isCurrent(renewed as PartitionLease)).toBe(true);
    expect(table.size).toBe(1);
  });

  it('does not count a lease of another table, even for the same partition, as current', () => {
    const table = new PartitionTable();
    table.assign([p0]);
    expect(table.isCurrent(new PartitionLease(p0.topic, p0.partition))).toBe(false);
  });

  it('finds the current leases of partitions and leaves unknown ones out', () => {
    const table = new PartitionTable();
    const [lease0, lease1] = table.assign([p0, p1]);
    expect(table.leasesOf([p1, other, p0])).toStrictEqual([lease1, lease0]);
    expect(table.leasesOf([])).toStrictEqual([]);
  });

  it('release() aborts the leases and forgets their partitions', () => {
    const table = new PartitionTable();
    const [lease0, lease1] = table.assign([p0, p1]);
    table.release([lease0 as PartitionLease]);
    expect(lease0?.abort.aborted).toBe(true);
    expect(lease1?.halt.aborted).toBe(false);
    expect(table.get(p0.topic, p0.partition)).toBeUndefined();
    expect(table.isCurrent(lease0 as PartitionLease)).toBe(false);
    expect(table.all()).toStrictEqual([lease1]);
  });

  it('release() of a stale lease leaves the current lease of its partition in place', () => {
    const table = new PartitionTable();
    const [old] = table.assign([p0]);
    const [current] = table.assign([p0]);
    table.release([old as PartitionLease]);
    expect(table.get(p0.topic, p0.partition)).toBe(current);
    expect(current?.abort.aborted).toBe(false);
  });
});

describe('PartitionLease signals', () => {
  it('take many listeners without a MaxListenersExceededWarning (every running handler listens)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const lease = new PartitionLease('hono.event.t', 0);
      for (let i = 0; i < 50; i++) {
        lease.halt.addEventListener('abort', () => undefined);
        lease.abort.addEventListener('abort', () => undefined);
      }
      // Node emits process warnings on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
