import { describe, expect, it } from 'vitest';
import { CommandOutcome, routeCommand, type RecordContext } from '../../../src/testing/command-routing.js';
import type { DecodedCommand, InvalidCommand } from '../../../src/wire/commands.js';

const now = 1_700_000_000_000;
const context: RecordContext = { tenantId: 'acme', now };
const metadata = { 'delivery-failure-notification-metadata.job': '17' };

function command(overrides: Partial<DecodedCommand> = {}): DecodedCommand {
  return {
    tenantId: 'acme',
    deviceId: '4711',
    name: 'setVolume',
    payload: null,
    contentType: undefined,
    correlationId: 'c-1',
    responseRequired: true,
    failureMetadata: metadata,
    creationTime: now - 10,
    ttlMs: undefined,
    ...overrides,
  };
}

function invalid(kind: InvalidCommand['kind'], overrides: Partial<InvalidCommand> = {}): InvalidCommand {
  const base = { kind, reason: 'test', correlationId: 'c-2', failureMetadata: metadata };
  return kind === 'dropped'
    ? { ...base, ...overrides }
    : { ...base, tenantId: 'acme', deviceId: '4711', responseRequired: true, ...overrides };
}

const reachable = (): boolean => true;
const unreachable = (): boolean => false;

describe('routeCommand', () => {
  it('skips a command created before ignoreCreatedBefore, without an answer, even for an unreachable device', () => {
    const skipping: RecordContext = { ...context, ignoreCreatedBefore: now - 5 };
    const old = command({ creationTime: now - 10 });
    expect(routeCommand(old, skipping, unreachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.Skipped,
      failure: undefined,
    });
    const fresh = command({ creationTime: now - 5 });
    expect(routeCommand(fresh, skipping, reachable)).toEqual({ kind: 'deliver', command: fresh });
    const undated = command({ creationTime: undefined });
    expect(routeCommand(undated, skipping, reachable)).toEqual({ kind: 'deliver', command: undated });
  });

  it('delivers a command to a reachable device', () => {
    const decoded = command();
    expect(routeCommand(decoded, context, reachable)).toEqual({ kind: 'deliver', command: decoded });
  });

  it('answers a request for a device that is not reachable with 503 no consumer available and the metadata', () => {
    expect(routeCommand(command(), context, unreachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.NoConsumer,
      failure: {
        tenantId: 'acme',
        deviceId: '4711',
        correlationId: 'c-1',
        status: 503,
        error: 'no consumer available',
        failureMetadata: metadata,
      },
    });
  });

  it('answers nothing to a one-way command for a device that is not reachable', () => {
    const oneWay = command({ responseRequired: false, correlationId: undefined });
    expect(routeCommand(oneWay, context, unreachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.NoConsumer,
      failure: undefined,
    });
  });

  it('asks about the device of the command', () => {
    const asked: string[] = [];
    routeCommand(command({ deviceId: 'other' }), context, (deviceId) => {
      asked.push(deviceId);
      return true;
    });
    expect(asked).toEqual(['other']);
  });

  it('answers a malformed request that has a correlation id with 400 malformed command message', () => {
    expect(routeCommand(invalid('malformed'), context, reachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.Malformed,
      failure: {
        tenantId: 'acme',
        deviceId: '4711',
        correlationId: 'c-2',
        status: 400,
        error: 'malformed command message',
        failureMetadata: metadata,
      },
    });
  });

  it.each([
    ['without a correlation id', invalid('malformed', { correlationId: undefined })],
    ['that is one-way (response-required false)', invalid('malformed', { responseRequired: false })],
    ['without a device id', invalid('malformed', { deviceId: undefined })],
  ])('answers nothing to a malformed command %s', (_, decoded) => {
    expect(routeCommand(decoded, context, reachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.Malformed,
      failure: undefined,
    });
  });

  it('drops a record without device_id or with a key that differs, without an answer', () => {
    expect(routeCommand(invalid('dropped'), context, reachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.Dropped,
      failure: undefined,
    });
  });

  it('drops a command whose ttl passed, even for a reachable device', () => {
    const stale = command({ creationTime: now - 1_001, ttlMs: 1_000 });
    expect(routeCommand(stale, context, reachable)).toEqual({
      kind: 'reject',
      outcome: CommandOutcome.Expired,
      failure: undefined,
    });
    const fresh = command({ creationTime: now - 1_000, ttlMs: 1_000 });
    expect(routeCommand(fresh, context, reachable).kind).toBe('deliver');
  });
});
