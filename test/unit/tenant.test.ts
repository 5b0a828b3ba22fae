import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { TenantError, isHonoKafkaError } from '../../src/errors.js';
import {
  HonoEndpoint,
  MAX_TOPIC_NAME_LENGTH,
  assertValidTenantId,
  eventTopic,
  honoTopic,
  isValidTenantId,
  maxTenantIdLength,
  parseHonoTopic,
  telemetryTopic,
  tenantError,
  tenantOfTopic,
} from '../../src/tenant.js';

const legalChar = fc.constantFrom(...'abcXYZ0189._-'.split(''));
const tenantId = fc.string({ unit: legalChar, minLength: 1, maxLength: maxTenantIdLength() });

describe('tenant topics', () => {
  it('builds the event and telemetry topics', () => {
    expect(eventTopic('DEFAULT_TENANT')).toBe('hono.event.DEFAULT_TENANT');
    expect(telemetryTopic('acme.site-1')).toBe('hono.telemetry.acme.site-1');
    expect(honoTopic(HonoEndpoint.Event, 't')).toBe('hono.event.t');
  });

  it('fits the tenant id to 249 characters minus the prefix', () => {
    expect(maxTenantIdLength(HonoEndpoint.Event)).toBe(MAX_TOPIC_NAME_LENGTH - 'hono.event.'.length);
    expect(maxTenantIdLength(HonoEndpoint.Telemetry)).toBe(MAX_TOPIC_NAME_LENGTH - 'hono.telemetry.'.length);
    expect(maxTenantIdLength()).toBe(234);
    const longest = 'a'.repeat(238);
    expect(eventTopic(longest)).toHaveLength(249);
    expect(() => eventTopic(`${longest}a`)).toThrow(TenantError);
    expect(() => telemetryTopic(longest)).toThrow(/at most 234/);
    expect(isValidTenantId(longest)).toBe(false);
    expect(isValidTenantId(longest, HonoEndpoint.Event)).toBe(true);
  });

  it.each([
    ['', /must not be empty/],
    ['my tenant', /\[a-zA-Z0-9._-\]: " " at index 2/],
    ['ten/ant', /"\/" at index 3/],
    ['tenant+1', /"\+" at index 6/],
    ['mandant-ä', /"ä" at index 8/],
    ['a'.repeat(300), /300 characters long/],
  ])('rejects %j with a typed error', (tenant, message) => {
    expect(isValidTenantId(tenant)).toBe(false);
    expect(tenantError(tenant)).toMatch(message);
    let caught: unknown;
    try {
      eventTopic(tenant);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TenantError);
    expect(isHonoKafkaError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'ERR_HONO_INVALID_TENANT', tenantId: tenant, retriable: false });
    expect((caught as Error).message).toMatch(message);
  });

  it.each([undefined, null, 42, {}])('rejects the non-string %o', (tenant) => {
    expect(isValidTenantId(tenant)).toBe(false);
    expect(() => {
      assertValidTenantId(tenant);
    }).toThrow(/must be a string/);
  });

  test.prop([tenantId])('accepts every id of legal characters and length, and parses it back', (tenant) => {
    expect(tenantError(tenant)).toBeUndefined();
    expect(parseHonoTopic(eventTopic(tenant))).toEqual({ endpoint: 'event', tenantId: tenant });
    expect(parseHonoTopic(telemetryTopic(tenant))).toEqual({ endpoint: 'telemetry', tenantId: tenant });
  });

  test.prop([fc.string({ minLength: 1 })])('isValidTenantId agrees with the Kafka rules', (tenant) => {
    const legal = /^[a-zA-Z0-9._-]+$/.test(tenant) && tenant.length <= 234;
    expect(isValidTenantId(tenant)).toBe(legal);
  });
});

describe('parseHonoTopic / tenantOfTopic', () => {
  it.each([
    ['hono.event.DEFAULT_TENANT', { endpoint: 'event', tenantId: 'DEFAULT_TENANT' }],
    ['hono.telemetry.a', { endpoint: 'telemetry', tenantId: 'a' }],
    ['hono.event.hono.telemetry.x', { endpoint: 'event', tenantId: 'hono.telemetry.x' }],
    ['hono.event.', undefined],
    ['hono.telemetry.', undefined],
    ['hono.command.t', undefined],
    ['hono.command_response.t', undefined],
    ['hono.eventx', undefined],
    ['HONO.EVENT.t', undefined],
    ['event.t', undefined],
    ['', undefined],
    ['hono.event.bad tenant', undefined],
  ])('%j', (topic, expected) => {
    expect(parseHonoTopic(topic)).toEqual(expected);
    expect(tenantOfTopic(topic)).toBe(expected?.tenantId);
  });

  it('answers the same for the same topic asked twice in a row (memo) and for a different one after', () => {
    expect(parseHonoTopic('hono.event.a')).toEqual({ endpoint: 'event', tenantId: 'a' });
    expect(parseHonoTopic('hono.event.a')).toEqual({ endpoint: 'event', tenantId: 'a' });
    expect(parseHonoTopic('hono.event.')).toBeUndefined();
    expect(parseHonoTopic('hono.event.')).toBeUndefined();
    expect(parseHonoTopic('hono.telemetry.b')).toEqual({ endpoint: 'telemetry', tenantId: 'b' });
  });

  it('returns frozen results', () => {
    expect(Object.isFrozen(parseHonoTopic('hono.event.frozen'))).toBe(true);
  });
});
