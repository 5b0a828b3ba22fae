import { describe, expect, it } from 'vitest';
import { Ordering, orderingKey, type OrderingRecord } from '../../../src/scheduling/ordering.js';

const record = (overrides: Partial<OrderingRecord> = {}): OrderingRecord => ({
  topic: 'hono.event.t',
  partition: 0,
  offset: 10,
  deviceId: 'd1',
  ...overrides,
});

describe('orderingKey', () => {
  it('has the three modes', () => {
    expect(Object.values(Ordering)).toEqual(['device', 'partition', 'none']);
  });

  // Each row: mode, two records, whether they share a key.
  it.each<[string, Ordering, OrderingRecord, OrderingRecord, boolean]>([
    ['device: same device, same partition', 'device', record(), record({ offset: 11 }), true],
    ['device: other device', 'device', record(), record({ deviceId: 'd2' }), false],
    ['device: same device, other partition', 'device', record(), record({ partition: 1 }), false],
    ['device: same device, other topic', 'device', record(), record({ topic: 'hono.event.u' }), false],
    [
      'device: no device id shares the partition key',
      'device',
      record({ deviceId: undefined }),
      record({ deviceId: undefined, offset: 11 }),
      true,
    ],
    [
      'device: empty device id counts as none',
      'device',
      record({ deviceId: '' }),
      record({ deviceId: undefined }),
      true,
    ],
    [
      'device: a device id is not the partition key',
      'device',
      record({ deviceId: undefined }),
      record(),
      false,
    ],
    ['partition: other devices', 'partition', record(), record({ deviceId: 'd2', offset: 11 }), true],
    ['partition: no device id', 'partition', record(), record({ deviceId: undefined }), true],
    ['partition: other partition', 'partition', record(), record({ partition: 1 }), false],
    ['partition: other topic', 'partition', record(), record({ topic: 'hono.telemetry.t' }), false],
    ['none: same device, other offset', 'none', record(), record({ offset: 11 }), false],
    ['none: same offset, other partition', 'none', record(), record({ partition: 1 }), false],
    ['none: same record', 'none', record(), record(), true],
  ])('%s', (_name, ordering, a, b, shared) => {
    expect(orderingKey(ordering, a) === orderingKey(ordering, b)).toBe(shared);
  });

  it.each<[string, OrderingRecord, OrderingRecord]>([
    // Separators keep partition numbers, device ids and offsets apart.
    [
      'partition 1 + device "1x" vs partition 11 + device "x"',
      record({ partition: 1, deviceId: '1x' }),
      record({ partition: 11, deviceId: 'x' }),
    ],
    ['device ids containing separators', record({ deviceId: 'a\u0000b' }), record({ deviceId: 'a' })],
  ])('keeps keys apart: %s', (_name, a, b) => {
    expect(orderingKey('device', a)).not.toBe(orderingKey('device', b));
  });

  it('never gives a none key that equals a device or partition key', () => {
    const keys = new Set([
      orderingKey('device', record()),
      orderingKey('device', record({ deviceId: undefined })),
      orderingKey('partition', record()),
    ]);
    expect(keys.has(orderingKey('none', record()))).toBe(false);
    expect(keys.has(orderingKey('none', record({ offset: 0 })))).toBe(false);
  });
});
