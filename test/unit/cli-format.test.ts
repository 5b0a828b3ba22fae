/**
 * The command's output: events and invalid records as JSON lines or readable text, payloads as text or
 * base64, JSON that survives bigints, Buffers and Dates, text that cannot drive the terminal, and the
 * progress line.
 */
import { Writable } from 'node:stream';
import { test } from '@fast-check/vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  formatCommandResponse,
  formatEvent,
  formatHandledCommand,
  formatInvalid,
  isTextualContentType,
  jsonLine,
  payloadOf,
  printable,
} from '../../src/cli/format.js';
import { connectingText, Progress, progressText, StatusLine, writeLine } from '../../src/cli/progress.js';
import { DecodeError } from '../../src/errors.js';
import { decodeEvent } from '../../src/wire/decode.js';
import { encodeEvent, type HonoEventInit } from '../../src/wire/encode.js';
import type { HonoEvent } from '../../src/wire/types.js';
import type { CommandResponse, DecodedCommand } from '../../src/wire/commands.js';
import type { HandledCommand } from '../../src/testing/command-router.js';
import type { KafkaRecord } from '../../src/types.js';
import { byteRecordArbitrary, eventInitArbitrary } from './wire/arbitraries.js';

const creationTime = Date.UTC(2025, 5, 1, 10, 0, 0);

/** An in-memory stream with what was written to it. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** What the consumer hands the handler: the encoded record, consumed at partition 3, offset 42. */
function consumed(init: HonoEventInit): HonoEvent {
  const { topic, key, value, headers } = encodeEvent(init);
  return decodeEvent({ topic, partition: 3, offset: 42, key, value, headers, timestamp: creationTime });
}

function decodeError(record: KafkaRecord): DecodeError {
  try {
    decodeEvent(record);
  } catch (error) {
    if (error instanceof DecodeError) return error;
  }
  throw new Error('the record decoded');
}

/** Whether text has a C0 or C1 control character or DEL. */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const json = (event: HonoEvent): Record<string, unknown> =>
  JSON.parse(formatEvent(event, 'json')) as Record<string, unknown>;

const base = { tenantId: 'DEFAULT_TENANT', deviceId: '4711', creationTime } as const;

describe('formatEvent: JSON lines', () => {
  it('writes a data event with its coordinates and a JSON payload as text', () => {
    const event = consumed({
      ...base,
      type: 'event',
      contentType: 'application/json',
      payload: '{"temp":21.5}',
      ttd: 30,
      ttl: 60_000,
    });
    expect(formatEvent(event, 'json')).not.toContain('\n');
    expect(json(event)).toEqual({
      type: 'event',
      endpoint: 'event',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      contentType: 'application/json',
      creationTime: '2025-06-01T10:00:00.000Z',
      qos: 1,
      ttd: 30,
      ttl: 60_000,
      topic: 'hono.event.DEFAULT_TENANT',
      partition: 3,
      offset: 42,
      payload: '{"temp":21.5}',
      payloadEncoding: 'utf8',
    });
  });

  it('says the endpoint: telemetry with its qos, or event', () => {
    const telemetry = consumed({
      ...base,
      type: 'event',
      endpoint: 'telemetry',
      qos: 0,
      contentType: 'application/json',
      payload: '{"temp":21.5}',
    });
    expect(json(telemetry)).toMatchObject({
      type: 'event',
      endpoint: 'telemetry',
      qos: 0,
      topic: 'hono.telemetry.DEFAULT_TENANT',
      payload: '{"temp":21.5}',
    });
    const connection = consumed({
      ...base,
      type: 'connection',
      cause: 'connected',
      remoteId: 'r',
      source: 's',
    });
    expect(json(connection)).toMatchObject({ type: 'connection', endpoint: 'event' });
  });

  it('writes binary payloads as base64, so the bytes can be restored', () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const event = consumed({
      ...base,
      type: 'event',
      contentType: 'application/octet-stream',
      payload: bytes,
    });
    const line = json(event);
    expect(line).toMatchObject({ payloadEncoding: 'base64', contentType: 'application/octet-stream' });
    expect(Buffer.from(line['payload'] as string, 'base64')).toEqual(bytes);
    expect(line).not.toHaveProperty('ttd');
  });

  it('writes connection events with cause, remote id, source and data, without a payload', () => {
    const event = consumed({
      ...base,
      type: 'connection',
      cause: 'disconnected',
      remoteId: 'mqtt-4711',
      source: 'hono-mqtt',
      data: { reason: 'idle', since: 12 },
    });
    const line = json(event);
    expect(line).toMatchObject({
      type: 'connection',
      contentType: 'application/vnd.eclipse-hono-dc-notification+json',
      cause: 'disconnected',
      remoteId: 'mqtt-4711',
      source: 'hono-mqtt',
      data: { reason: 'idle', since: 12 },
    });
    expect(line).not.toHaveProperty('payload');
  });

  it('writes empty notifications with ttd and provisioning notifications with their status', () => {
    expect(json(consumed({ ...base, type: 'emptyNotification', ttd: -1 }))).toMatchObject({
      type: 'emptyNotification',
      contentType: 'application/vnd.eclipse-hono-empty-notification',
      ttd: -1,
    });
    expect(
      json(consumed({ ...base, type: 'provisioning', registrationStatus: 'NEW', gatewayId: 'gw-1' })),
    ).toMatchObject({ type: 'provisioning', registrationStatus: 'NEW', gatewayId: 'gw-1' });
  });

  test.prop([eventInitArbitrary])('writes every event Hono can send as one parseable line', (init) => {
    const event = consumed(init);
    const line = formatEvent(event, 'json');
    expect(line).not.toMatch(/[\n\r]/);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      type: event.type,
      endpoint: event.endpoint,
      deviceId: event.deviceId,
      offset: 42,
    });
    if (event.type === 'event') {
      const encoding = parsed['payloadEncoding'] === 'utf8' ? 'utf8' : 'base64';
      expect(Buffer.from(parsed['payload'] as string, encoding)).toEqual(event.payload);
    }
  });
});

describe('formatEvent: text lines', () => {
  it('writes a readable line: time, tenant, device, type, position, details, payload', () => {
    const event = consumed({ ...base, type: 'event', contentType: 'text/plain', payload: 'hello', ttd: 30 });
    expect(formatEvent(event, 'text')).toBe(
      '2025-06-01T10:00:00.000Z DEFAULT_TENANT 4711 event [3]@42 qos=1 ttd=30 ct=text/plain hello',
    );
    const binary = consumed({ ...base, type: 'event', payload: Buffer.from([0xff]) });
    expect(formatEvent(binary, 'text')).toMatch(/ct=application\/octet-stream base64:\/w==$/);
    const connection = consumed({
      ...base,
      type: 'connection',
      cause: 'connected',
      remoteId: 'r',
      source: 's',
    });
    expect(formatEvent(connection, 'text')).toBe(
      '2025-06-01T10:00:00.000Z DEFAULT_TENANT 4711 connection [3]@42 connected qos=1 remote-id=r source=s',
    );
  });

  it('says telemetry where an event line says event; a notification keeps its type', () => {
    const telemetry = consumed({
      ...base,
      type: 'event',
      endpoint: 'telemetry',
      qos: 0,
      contentType: 'text/plain',
      payload: '21.5',
    });
    expect(formatEvent(telemetry, 'text')).toBe(
      '2025-06-01T10:00:00.000Z DEFAULT_TENANT 4711 telemetry [3]@42 qos=0 ct=text/plain 21.5',
    );
    const atLeastOnce = consumed({ ...base, type: 'event', endpoint: 'telemetry', qos: 1, payload: 'x' });
    expect(formatEvent(atLeastOnce, 'text')).toMatch(/ 4711 telemetry \[3\]@42 qos=1 /);
    // Hono writes notifications to the event topic only; one from a telemetry topic would say so.
    const notification: HonoEvent = {
      ...consumed({ ...base, type: 'emptyNotification', ttd: 5 }),
      endpoint: 'telemetry',
    };
    expect(formatEvent(notification, 'text')).toBe(
      '2025-06-01T10:00:00.000Z DEFAULT_TENANT 4711 telemetry:emptyNotification [3]@42 qos=1 ttd=5',
    );
  });

  it('escapes what a device could use to drive the terminal or split the line', () => {
    const event = consumed({
      ...base,
      deviceId: 'dev\u001b[2J',
      type: 'event',
      contentType: 'text/plain',
      payload: 'line 1\nline 2\u001b]0;title\u0007\u202e',
    });
    const line = formatEvent(event, 'text');
    expect(hasControlCharacter(line)).toBe(false);
    expect(line).not.toContain('\u202e');
    expect(line).toContain('dev\\u001b[2J');
    expect(line).toContain('line 1\\nline 2\\u001b]0;title\\u0007\\u202e');
  });

  test.prop([eventInitArbitrary])('writes every event as one line without control characters', (init) => {
    expect(hasControlCharacter(formatEvent(consumed(init), 'text'))).toBe(false);
  });
});

describe('payloads: text or base64', () => {
  it.each([
    ['text/plain', true],
    ['TEXT/CSV; charset=UTF-8', true],
    ['application/json', true],
    ['application/vnd.eclipse-hono-dc-notification+json', true],
    ['application/xml', true],
    ['application/soap+xml; charset="utf-8"', true],
    ['application/yaml', true],
    ['text/plain; charset=iso-8859-1', false],
    ['application/octet-stream', false],
    ['application/cbor', false],
    ['image/png', false],
    ['', false],
  ])('%s is text: %s', (contentType, textual) => {
    expect(isTextualContentType(contentType)).toBe(textual);
  });

  it('uses text only for valid UTF-8 without a content encoding', () => {
    expect(payloadOf(Buffer.from('{"ä":1}'), 'application/json', undefined)).toEqual({
      payload: '{"ä":1}',
      payloadEncoding: 'utf8',
    });
    expect(payloadOf(Buffer.from([0x7b, 0xc3, 0x28]), 'application/json', undefined).payloadEncoding).toBe(
      'base64',
    );
    expect(payloadOf(Buffer.from('{}'), 'application/json', 'gzip').payloadEncoding).toBe('base64');
    expect(payloadOf(Buffer.from('ascii'), 'application/octet-stream', undefined)).toEqual({
      payload: 'YXNjaWk=',
      payloadEncoding: 'base64',
    });
    expect(payloadOf(Buffer.alloc(0), 'text/plain', undefined)).toEqual({
      payload: '',
      payloadEncoding: 'utf8',
    });
  });
});

describe('formatInvalid', () => {
  const record: KafkaRecord = {
    topic: 'hono.event.DEFAULT_TENANT',
    partition: 1,
    offset: 7,
    key: Buffer.from('4711'),
    value: Buffer.from('secret payload'),
    headers: [{ 'content-type': Buffer.from('text/plain') }, { ttd: Buffer.from('soon') }],
    timestamp: creationTime,
  };

  it('writes the code, the coordinates and the key, never the value', () => {
    const error = decodeError(record);
    const parsed = JSON.parse(formatInvalid(error, 'json')) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      invalid: true,
      code: 'ERR_HONO_BAD_HEADER',
      header: 'ttd',
      topic: 'hono.event.DEFAULT_TENANT',
      partition: 1,
      offset: 7,
      key: '4711',
    });
    const text = formatInvalid(error, 'text');
    expect(text).toMatch(
      /^invalid record hono\.event\.DEFAULT_TENANT\[1\]@7 key=4711: ERR_HONO_BAD_HEADER: /,
    );
    expect(`${JSON.stringify(parsed)}${text}`).not.toContain('secret payload');
  });

  it('writes a key that is not UTF-8 as base64', () => {
    const error = decodeError({ ...record, key: Buffer.from([0xff, 0xfe]) });
    expect(JSON.parse(formatInvalid(error, 'json'))).toMatchObject({ key: '//4=', keyEncoding: 'base64' });
    expect(formatInvalid(error, 'text')).toContain('key=base64://4=');
  });

  test.prop([byteRecordArbitrary])('writes any record that fails to decode as one line', (raw) => {
    let error: DecodeError;
    try {
      decodeEvent(raw);
      return;
    } catch (caught) {
      if (!(caught instanceof DecodeError)) throw caught;
      error = caught;
    }
    expect(() => JSON.parse(formatInvalid(error, 'json')) as unknown).not.toThrow();
    expect(formatInvalid(error, 'json')).not.toMatch(/[\n\r]/);
    expect(hasControlCharacter(formatInvalid(error, 'text'))).toBe(false);
  });
});

describe('jsonLine', () => {
  it('writes what JSON.stringify mishandles', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    expect(
      JSON.parse(
        jsonLine({
          big: 2n ** 64n,
          buffer: Buffer.from('hi'),
          bytes: new Uint8Array([1, 2]),
          date: new Date(0),
          invalidDate: new Date(Number.NaN),
          nan: Number.NaN,
          infinite: Number.POSITIVE_INFINITY,
          map: new Map([['k', 1n]]),
          set: new Set(['a']),
          gone: undefined,
          fn: () => undefined,
          list: [undefined, 1n],
          twice: [shared, shared],
          cyclic,
        }),
      ),
    ).toEqual({
      big: '18446744073709551616',
      buffer: 'aGk=',
      bytes: 'AQI=',
      date: '1970-01-01T00:00:00.000Z',
      invalidDate: null,
      nan: null,
      infinite: null,
      map: { k: '1' },
      set: ['a'],
      list: [null, '1'],
      twice: [{ n: 1 }, { n: 1 }],
      cyclic: { name: 'loop', self: '[Circular]' },
    });
    expect(jsonLine(undefined)).toBe('null');
  });
});

describe('printable', () => {
  it('keeps ordinary text, escapes control characters and bidi overrides', () => {
    expect(printable('Grüße, 温度 ✓')).toBe('Grüße, 温度 ✓');
    expect(printable('a\tb\r\n\u0000\u007f\u0085\u2028\u2066')).toBe(
      'a\\tb\\r\\n\\u0000\\u007f\\u0085\\u2028\\u2066',
    );
  });
});

describe('progress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts what this run committed from the first offset it handled per partition', () => {
    const progress = new Progress();
    const at = (partition: number, offset: number) => ({ topic: 'hono.event.t', partition, offset });
    progress.invalid(at(0, 10));
    progress.event(at(0, 11));
    progress.event(at(1, 3));
    progress.expired(at(1, 4));
    progress.committed([at(0, 11), at(2, 99)]);
    expect(progress.counts()).toEqual({ events: 2, invalid: 1, expired: 1, committed: 1 });
    progress.committed([at(0, 12), at(1, 5)]);
    expect(progress.counts().committed).toBe(4);
    expect(progressText(progress.counts(), 12.4)).toBe('2 events (12/s), 1 invalid, 1 expired, 4 committed');
  });

  it('redraws the line in place on a terminal, clears it for notices, and leaves the final counts', async () => {
    vi.useFakeTimers();
    const stream = Object.assign(new Capture(), { isTTY: true });
    const progress = new Progress();
    const status = new StatusLine(stream, progress, true, 1000);
    progress.event({ topic: 'hono.event.t', partition: 0, offset: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(stream.text).toBe('\r\u001b[K1 events (1/s), 0 invalid, 0 committed');
    await status.note('a notice');
    expect(stream.text.endsWith('committed\r\u001b[Ka notice\n')).toBe(true);
    await status.stop();
    expect(stream.text).toMatch(/a notice\n1 events \(0\/s\), 0 invalid, 0 committed\n$/);
    const before = stream.text;
    await vi.advanceTimersByTimeAsync(5000);
    expect(stream.text).toBe(before);
  });

  it('writes whole lines when stderr is not a terminal, and nothing when progress is off', async () => {
    vi.useFakeTimers();
    const file = new Capture();
    const status = new StatusLine(file, new Progress(), true, 1000);
    await vi.advanceTimersByTimeAsync(2000);
    await status.stop();
    expect(file.text.split('\n')).toEqual([
      '0 events (0/s), 0 invalid, 0 committed',
      '0 events (0/s), 0 invalid, 0 committed',
      '0 events (0/s), 0 invalid, 0 committed',
      '',
    ]);
    const quiet = new Capture();
    const off = new StatusLine(quiet, new Progress(), false);
    await vi.advanceTimersByTimeAsync(5000);
    await off.note('only this');
    await off.stop();
    expect(quiet.text).toBe('only this\n');
  });
});

describe('writeLine', () => {
  it('resolves once the stream took the line, and rejects with its error', async () => {
    const sink = new Capture({ highWaterMark: 1 });
    await writeLine(sink, 'one');
    expect(sink.text).toBe('one\n');
    const broken = new Writable({
      write: (_chunk, _encoding, done) => {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => undefined);
    await expect(writeLine(broken, 'two')).rejects.toMatchObject({ code: 'EPIPE' });
  });
});

describe('connectingText', () => {
  it('names the bootstrap servers as given', () => {
    expect(connectingText('10.0.0.1:9092,10.0.0.2:9092')).toBe(
      'connecting to 10.0.0.1:9092,10.0.0.2:9092...',
    );
  });
});

describe('formatCommandResponse', () => {
  const response = (
    status: number,
    payload: Buffer | null,
    contentType: string | undefined,
  ): CommandResponse => ({
    kind: 'response',
    tenantId: 'acme',
    deviceId: '4711',
    correlationId: 'c-1',
    status,
    contentType,
    payload,
    creationTime: creationTime,
    ttlMs: undefined,
  });
  const failure: CommandResponse = {
    kind: 'deliveryFailure',
    tenantId: 'acme',
    deviceId: '4711',
    correlationId: 'c-2',
    status: 503,
    error: 'no consumer available',
    failureMetadata: {},
    creationTime: creationTime,
  };

  it("prints hono-cli's res line: device, status, content type and payload, '-' for what is missing", () => {
    expect(formatCommandResponse(response(200, Buffer.from('{"on":true}'), 'application/json'), false)).toBe(
      'res 4711 200 application/json {"on":true}',
    );
    expect(formatCommandResponse(response(204, null, undefined), false)).toBe('res 4711 204 - -');
    expect(formatCommandResponse(response(200, Buffer.alloc(0), 'text/plain'), false)).toBe(
      'res 4711 200 text/plain -',
    );
    expect(formatCommandResponse(response(500, Buffer.from('bad\nline'), 'text/plain'), false)).toBe(
      'res 4711 500 text/plain bad\\nline',
    );
  });

  it('shows a payload that is not UTF-8 text as base64', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x01]);
    expect(formatCommandResponse(response(200, bytes, 'application/octet-stream'), false)).toBe(
      `res 4711 200 application/octet-stream base64:${bytes.toString('base64')}`,
    );
    expect(JSON.parse(formatCommandResponse(response(200, bytes, undefined), true))).toEqual({
      type: 'response',
      tenantId: 'acme',
      deviceId: '4711',
      correlationId: 'c-1',
      status: 200,
      payload: bytes.toString('base64'),
      payloadEncoding: 'base64',
    });
  });

  it('writes a response as JSON with its payload as text when it is text', () => {
    expect(JSON.parse(formatCommandResponse(response(200, Buffer.from('ok'), 'text/plain'), true))).toEqual({
      type: 'response',
      tenantId: 'acme',
      deviceId: '4711',
      correlationId: 'c-1',
      status: 200,
      contentType: 'text/plain',
      payload: 'ok',
      payloadEncoding: 'utf8',
    });
  });

  it("says Hono's delivery failure in text, or as JSON", () => {
    expect(formatCommandResponse(failure, false)).toBe(
      'cannot deliver the command to device 4711: 503 no consumer available',
    );
    expect(JSON.parse(formatCommandResponse(failure, true))).toEqual({
      type: 'deliveryFailure',
      tenantId: 'acme',
      deviceId: '4711',
      correlationId: 'c-2',
      status: 503,
      error: 'no consumer available',
    });
  });
});

describe('formatHandledCommand', () => {
  const command: DecodedCommand = {
    tenantId: 'acme',
    deviceId: '4711',
    name: 'setVolume',
    payload: Buffer.from('{"level":7}'),
    contentType: 'application/json',
    correlationId: 'c-1',
    responseRequired: true,
    failureMetadata: {},
    creationTime,
    ttlMs: undefined,
  };
  const handled = (overrides: Partial<HandledCommand>): HandledCommand => ({
    tenantId: 'acme',
    partition: 0,
    offset: 7,
    command,
    outcome: 'answered',
    response: undefined,
    status: 200,
    error: undefined,
    ...overrides,
  });

  it("prints 'cmd <device> <name> <outcome> <status|->'", () => {
    expect(formatHandledCommand(handled({}), false)).toBe('cmd 4711 setVolume answered 200');
    expect(formatHandledCommand(handled({ outcome: 'oneWay', status: undefined }), false)).toBe(
      'cmd 4711 setVolume oneWay -',
    );
    expect(formatHandledCommand(handled({ outcome: 'noConsumer', status: 503 }), false)).toBe(
      'cmd 4711 setVolume noConsumer 503',
    );
  });

  it("shows '-' for what an invalid record lacks, and escapes control characters", () => {
    const dropped = handled({
      command: {
        kind: 'dropped',
        reason: 'device identifier not set',
        correlationId: undefined,
        failureMetadata: {},
      },
      outcome: 'dropped',
      status: undefined,
    });
    expect(formatHandledCommand(dropped, false)).toBe('cmd - - dropped -');
    expect(formatHandledCommand(handled({ command: { ...command, deviceId: 'a\u001b[2Jb' } }), false)).toBe(
      'cmd a\\u001b[2Jb setVolume answered 200',
    );
  });

  it('writes JSON with the outcome, the status and where the record sits', () => {
    expect(JSON.parse(formatHandledCommand(handled({}), true))).toEqual({
      type: 'command',
      tenantId: 'acme',
      deviceId: '4711',
      name: 'setVolume',
      correlationId: 'c-1',
      outcome: 'answered',
      status: 200,
      partition: 0,
      offset: 7,
    });
  });
});
