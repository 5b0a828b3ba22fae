import { describe, expect, it } from 'vitest';
import {
  CommandError,
  CommandErrorCode,
  CommitError,
  DeviceUnreachableError,
  DecodeError,
  DecodeErrorCode,
  EncodeError,
  ErrorCode,
  HandlerError,
  HonoKafkaError,
  InvalidCommandError,
  KafkaClientError,
  KafkaClientErrorCode,
  OptionsError,
  StateError,
  TenantError,
  isDecodeError,
  isHonoKafkaError,
} from '../../src/errors.js';
import type { KafkaRecord } from '../../src/types.js';

const record: KafkaRecord = { topic: 'hono.event.t', partition: 0, offset: 1, value: null };

/** One row per error code: how to make an error with it, the class it must be, and whether it is retriable. */
const rows: readonly (readonly [
  code: ErrorCode,
  make: () => HonoKafkaError,
  name: string,
  retriable: boolean,
])[] = [
  ...Object.values(DecodeErrorCode).map(
    (code) => [code, () => new DecodeError(code, `failed: ${code}`, record), 'DecodeError', false] as const,
  ),
  [ErrorCode.InvalidTenant, () => new TenantError('a b', 'bad tenant'), 'TenantError', false],
  [ErrorCode.InvalidEncoderInput, () => new EncodeError('ttd', 'bad ttd'), 'EncodeError', false],
  [
    ErrorCode.InvalidOptions,
    () => new OptionsError([{ path: 'groupId', message: 'is required' }]),
    'OptionsError',
    false,
  ],
  [ErrorCode.InvalidState, () => new StateError('run() twice'), 'StateError', false],
  [
    ErrorCode.CommitFailed,
    () => new CommitError('rejected', [{ ...record, offset: 2 }]),
    'CommitError',
    true,
  ],
  [ErrorCode.Failed, () => HandlerError.failed(record, 1, new Error('db down')), 'HandlerError', true],
  [ErrorCode.TimedOut, () => HandlerError.timedOut(record, 2, 100), 'HandlerError', true],
  [
    ErrorCode.BrokersDown,
    () => new KafkaClientError(KafkaClientErrorCode.BrokersDown, 'down', { retriable: true }),
    'KafkaClientError',
    true,
  ],
  [
    ErrorCode.Authentication,
    () => new KafkaClientError(KafkaClientErrorCode.Authentication, 'refused'),
    'KafkaClientError',
    false,
  ],
  [
    ErrorCode.Tls,
    () => new KafkaClientError(KafkaClientErrorCode.Tls, 'certificate rejected'),
    'KafkaClientError',
    false,
  ],
  [
    ErrorCode.ProtocolMismatch,
    () => new KafkaClientError(KafkaClientErrorCode.ProtocolMismatch, 'TLS against a plaintext listener'),
    'KafkaClientError',
    false,
  ],
  [
    ErrorCode.Fatal,
    () => new KafkaClientError(KafkaClientErrorCode.Fatal, 'fatal'),
    'KafkaClientError',
    false,
  ],
  [
    ErrorCode.Client,
    () => new KafkaClientError(KafkaClientErrorCode.Client, 'other'),
    'KafkaClientError',
    false,
  ],
  [
    ErrorCode.InvalidCommand,
    () => new InvalidCommandError('deviceId', 'empty'),
    'InvalidCommandError',
    false,
  ],
  ...(
    [
      [CommandErrorCode.CommandTimedOut, true],
      [CommandErrorCode.CommandSendFailed, false],
      [CommandErrorCode.ResponseReaderFailed, true],
      [CommandErrorCode.TooManyPending, true],
      [CommandErrorCode.ClientClosed, false],
    ] as const
  ).map(
    ([code, retriable]) =>
      [
        code,
        () =>
          new CommandError(
            code,
            `failed: ${code}`,
            { tenantId: 't', deviceId: 'd', name: 'reboot', correlationId: 'c', acknowledged: false },
            { retriable },
          ),
        'CommandError',
        retriable,
      ] as const,
  ),
  [
    ErrorCode.DeviceUnreachable,
    () => new DeviceUnreachableError('t', 'd', 1_000),
    'DeviceUnreachableError',
    true,
  ],
];

describe('error codes', () => {
  it('has one row per code, and every code is unique and prefixed', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(rows.map(([code]) => code).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(code).toMatch(/^ERR_HONO_[A-Z_]+$/);
  });

  it('keeps every decode code in ErrorCode under the same name', () => {
    for (const [name, code] of Object.entries(DecodeErrorCode)) {
      expect((ErrorCode as Record<string, string>)[name]).toBe(code);
    }
  });

  it.each(rows)(
    '%s: class, code, name, retriable flag, recognised by the guards',
    (code, make, name, retriable) => {
      const error = make();
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(HonoKafkaError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.retriable).toBe(retriable);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.stack).toContain(name);
      expect(isHonoKafkaError(error)).toBe(true);
      expect(isDecodeError(error)).toBe(name === 'DecodeError');
    },
  );
});

describe('HonoKafkaError', () => {
  it('keeps cause and retriable', () => {
    const cause = new Error('broker down');
    const error = new HonoKafkaError(ErrorCode.InvalidTenant, 'wrapped', { cause, retriable: true });
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(true);
  });

  it('has no cause property unless given one', () => {
    expect(Object.hasOwn(new HonoKafkaError(ErrorCode.InvalidTenant, 'x'), 'cause')).toBe(false);
  });

  it('keeps its brand out of enumerable and JSON views', () => {
    const error = new TenantError('', 'empty');
    const brand = Object.getOwnPropertyDescriptor(error, Symbol.for('eclipse-hono-kafka.HonoKafkaError'));
    expect(brand).toMatchObject({ value: true, enumerable: false, writable: false });
    expect(Object.getOwnPropertySymbols(Object.assign({}, error))).toEqual([]);
  });
});

describe('isHonoKafkaError', () => {
  it('recognises an error of another installed copy by its Symbol.for brand', () => {
    // What a duplicate install produces: a different class, the same global symbol.
    class OtherCopyError extends Error {
      readonly code = 'ERR_HONO_BAD_HEADER';
      readonly retriable = false;
    }
    const foreign = new OtherCopyError('from another copy');
    Object.defineProperty(foreign, Symbol.for('eclipse-hono-kafka.HonoKafkaError'), { value: true });
    foreign.name = 'DecodeError';
    expect(foreign).not.toBeInstanceOf(HonoKafkaError);
    expect(isHonoKafkaError(foreign)).toBe(true);
    expect(isDecodeError(foreign)).toBe(true);
  });

  it.each([
    null,
    undefined,
    'ERR_HONO_BAD_HEADER',
    42,
    {},
    new Error('plain'),
    { code: 'ERR_HONO_BAD_HEADER' },
  ])('rejects %o', (value) => {
    expect(isHonoKafkaError(value)).toBe(false);
    expect(isDecodeError(value)).toBe(false);
  });
});

describe('DecodeError', () => {
  it('carries the raw record, the header and the field', () => {
    const cause = new SyntaxError('bad JSON');
    const error = new DecodeError(DecodeErrorCode.BadConnectionPayload, 'bad', record, {
      header: 'content-type',
      field: 'remote-id',
      cause,
    });
    expect(error.record).toBe(record);
    expect(error.header).toBe('content-type');
    expect(error.field).toBe('remote-id');
    expect(error.cause).toBe(cause);
  });
});
