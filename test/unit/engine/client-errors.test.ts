import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clientError,
  runningClientError,
  commitError,
  connectError,
  deadLetterRecord,
  scrub,
} from '../../../src/engine/client-errors.js';
import { CommitError, HandlerError, KafkaClientError } from '../../../src/errors.js';
import { ClientFailure } from '../../../src/engine/client.js';
import { toClientFailure } from '../../../src/kafka/rdkafka-consumer.js';
import type { KafkaRecord } from '../../../src/types.js';

const PASSWORD = 'Tr0ub4dor&3';

const authentication = toClientFailure({ code: -1, message: 'authentication failure' });
const saslMessage = toClientFailure({ code: -1, message: 'SASL SCRAM-SHA-512 mechanism handshake failed' });
const wrongPassword = toClientFailure({
  code: -1,
  message:
    'sasl_ssl://127.0.0.1:9094/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (in state AUTH_REQ)',
});
const brokersDown = toClientFailure({ code: -187, message: 'all broker connections are down' });
const transportFailure = toClientFailure({ code: -1, message: 'broker transport failure' });
const fatal = toClientFailure({ code: -150, isFatal: true, message: 'Fatal error: producer fenced' });
const other = toClientFailure({ code: 3, message: 'Broker: Unknown topic or partition' });
const otherRetriable = toClientFailure({
  code: 14,
  isRetriable: true,
  message: 'Broker: Coordinator load in progress',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('scrub', () => {
  it('replaces every occurrence of each secret', () => {
    expect(scrub(`user=u password=${PASSWORD} again ${PASSWORD}; key=k3y`, [PASSWORD, 'k3y'])).toBe(
      'user=u password=[redacted] again [redacted]; key=[redacted]',
    );
  });

  it('treats secrets as plain text, not as patterns', () => {
    expect(scrub('pass a.b+c and aXb+c', ['a.b+c'])).toBe('pass [redacted] and aXb+c');
  });

  it('leaves a text without secrets, or without any secret given, as it is', () => {
    expect(scrub('all broker connections are down', [PASSWORD])).toBe('all broker connections are down');
    expect(scrub('all broker connections are down', [])).toBe('all broker connections are down');
  });

  // Was a bug, fixed: src/consumer/client-errors.ts (now src/engine/client-errors.ts):19 scrubs the secrets in the order given. When one secret
  // contains another (sasl.password 'hunter2', ssl.key.password 'hunter2-extra'), the shorter one is
  // replaced first and the rest of the longer one ('-extra') is left in the text. Scrubbing the longest
  // secrets first fixes it.
  it('leaves no part of a secret that contains another secret', () => {
    expect(scrub('login with hunter2-extra failed', ['hunter2', 'hunter2-extra'])).toBe(
      'login with [redacted] failed',
    );
  });
});

describe('clientError', () => {
  it.each([
    [
      'an authentication code',
      toClientFailure({ code: -169, message: 'Local: Authentication failure' }),
      'ERR_HONO_AUTHENTICATION',
      false,
    ],
    ['an authentication message', authentication, 'ERR_HONO_AUTHENTICATION', false],
    ['a failed SASL handshake (no SASL on the listener)', saslMessage, 'ERR_HONO_PROTOCOL_MISMATCH', false],
    ['a refused SASL login', wrongPassword, 'ERR_HONO_AUTHENTICATION', false],
    [
      'a rejected certificate',
      toClientFailure({ code: -1, message: 'SSL handshake failed: certificate verify failed' }),
      'ERR_HONO_TLS',
      false,
    ],
    [
      'the SSL error text (the code recovered from it)',
      toClientFailure({ code: -1, message: 'ssl error' }),
      'ERR_HONO_TLS',
      false,
    ],
    [
      'a host that does not resolve',
      toClientFailure({ code: -1, message: 'host resolution failure' }),
      'ERR_HONO_BROKERS_DOWN',
      true,
    ],
    [
      'a port that is not Kafka',
      toClientFailure({ code: -1, message: 'bad message format' }),
      'ERR_HONO_PROTOCOL_MISMATCH',
      false,
    ],
    ['all brokers down', brokersDown, 'ERR_HONO_BROKERS_DOWN', true],
    ['a transport failure', transportFailure, 'ERR_HONO_BROKERS_DOWN', true],
    [
      'a connect timeout',
      toClientFailure({ code: -185, message: 'Local: Timed out' }),
      'ERR_HONO_BROKERS_DOWN',
      true,
    ],
    ['a fatal failure', fatal, 'ERR_HONO_KAFKA_FATAL', false],
    [
      'the fatal code alone',
      toClientFailure({ code: -150, message: 'Local: Fatal error' }),
      'ERR_HONO_KAFKA_FATAL',
      false,
    ],
    ['any other failure', other, 'ERR_HONO_KAFKA', false],
    ['any other retriable failure', otherRetriable, 'ERR_HONO_KAFKA', true],
    ['something that is no error at all', toClientFailure('boom'), 'ERR_HONO_KAFKA', false],
  ])('maps %s', (_name, failure, code, retriable) => {
    const error = clientError(failure, [], []);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error).toMatchObject({ code, retriable });
    // The cause is a scrubbed copy of the client's failure, with its code and flags.
    expect(error.cause).toBeInstanceOf(ClientFailure);
    expect(error.cause).toMatchObject({
      code: failure.code,
      message: failure.message,
      isFatal: failure.isFatal,
    });
  });

  it('says what the SDK was doing, the likely cause, and every distinct message, the telling ones first', () => {
    const error = clientError(brokersDown, [], [authentication, brokersDown], 'connect');
    expect(error.message).toBe(
      'connect: the SASL login failed: check the user name, password and sasl.mechanisms, and that the ' +
        'listener uses SASL. Details: authentication failure; all broker connections are down',
    );
    expect(clientError(other, [], []).message).toBe('Kafka: Broker: Unknown topic or partition');
  });

  it('names the bootstrap servers when given', () => {
    expect(clientError(brokersDown, [], [], 'Kafka', '10.0.0.1:9092,10.0.0.2:9092').message).toMatch(
      /^Kafka \(bootstrap servers: 10\.0\.0\.1:9092,10\.0\.0\.2:9092\): no broker answered in time/,
    );
  });

  it('quotes at most four of the client messages', () => {
    const many = Array.from({ length: 6 }, (_, i) =>
      toClientFailure({ code: -1, message: `127.0.0.1:${i}/bootstrap: Connection refused` }),
    );
    const error = clientError(brokersDown, [], many);
    expect(error.message).toContain('127.0.0.1:3/bootstrap');
    expect(error.message).not.toContain('127.0.0.1:4/bootstrap');
    expect(error.message).toMatch(/\(and 3 more\)$/);
  });

  it('says what answered on a port that is not Kafka, when the answer is text', () => {
    const http = toClientFailure({
      code: -1,
      message: '127.0.0.1:8080/bootstrap: Receive failed: Invalid response size 1213486160 (0..100000000)',
    });
    expect(clientError(http, [], []).message).toContain('(its answer starts with "HTTP")');
  });

  it.each([
    [
      'an authentication failure beats brokers down',
      brokersDown,
      [authentication],
      'ERR_HONO_AUTHENTICATION',
    ],
    ['a fatal failure beats brokers down', brokersDown, [fatal], 'ERR_HONO_KAFKA_FATAL'],
    [
      'an authentication failure beats a generic one',
      other,
      [transportFailure, authentication],
      'ERR_HONO_AUTHENTICATION',
    ],
    [
      'the log line that says the listener has no SASL beats the generic authentication failure',
      authentication,
      [saslMessage],
      'ERR_HONO_PROTOCOL_MISMATCH',
    ],
    [
      'a refused login beats the generic authentication failure',
      authentication,
      [wrongPassword],
      'ERR_HONO_AUTHENTICATION',
    ],
    ['a generic related failure does not hide brokers down', brokersDown, [other], 'ERR_HONO_BROKERS_DOWN'],
    ['the failure itself counts', authentication, [brokersDown], 'ERR_HONO_AUTHENTICATION'],
  ])('lets the most specific failure decide: %s', (_name, failure, related, code) => {
    const error = clientError(failure, [], related);
    expect(error.code).toBe(code);
    // The cause copies the primary failure (scrubbed), whichever failure decided the code.
    expect(error.cause).toMatchObject({ code: failure.code, message: failure.message });
  });

  it('is not retriable when a related failure is an authentication failure', () => {
    expect(clientError(brokersDown, [], [authentication]).retriable).toBe(false);
  });

  // Was a bug, fixed: src/consumer/client-errors.ts (now src/engine/client-errors.ts):55-56 promotes only authentication and fatal failures from
  // `related`; a brokers-down failure among them loses to a generic primary failure, so the error is
  // ERR_HONO_KAFKA and not retriable, although the docs say the most specific failure decides.
  it('lets a related brokers-down failure beat a generic one', () => {
    const error = clientError(other, [], [brokersDown]);
    expect(error.code).toBe('ERR_HONO_BROKERS_DOWN');
    expect(error.retriable).toBe(true);
  });

  it('never shows a password contained in a failure message', () => {
    const failure = toClientFailure({
      code: -1,
      message: `SASL authentication failed for password ${PASSWORD}`,
    });
    const related = toClientFailure({ code: -187, message: `config sasl.password=${PASSWORD}` });
    const error = clientError(failure, [PASSWORD], [related], `connect as ${PASSWORD}`);
    expect(error.code).toBe('ERR_HONO_AUTHENTICATION');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).toContain('[redacted]');
  });

  // Was a bug, fixed: src/consumer/client-errors.ts (now src/engine/client-errors.ts):59 keeps the client's failure, unscrubbed, as `cause`. Logging
  // the error the usual way (console.error(error), util.inspect, loggers that print causes) prints
  // `[cause]: ClientFailure: ... <password>`: the secret leaks although the message was scrubbed.
  it('never shows a password contained in a failure message, not even through its cause', () => {
    const failure = toClientFailure({
      code: -1,
      message: `SASL authentication failed for password ${PASSWORD}`,
    });
    const error = clientError(failure, [PASSWORD], []);
    expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
  });
});

describe('runningClientError', () => {
  it('reports the loss of one broker connection as a retriable ERR_HONO_KAFKA, not as brokers down', () => {
    // Was a bug: with one broker of three killed, ERR__TRANSPORT was reported as ERR_HONO_BROKERS_DOWN,
    // "no broker answered in time", while the other two answered.
    const transport = toClientFailure({ code: -195, message: 'broker transport failure' });
    const error = runningClientError(transport, [], 'Response reader of tenant t', 'k1:9092,k2:9092');
    expect(error.code).toBe('ERR_HONO_KAFKA');
    expect(error.retriable).toBe(true);
    expect(error.message).toBe(
      'Response reader of tenant t (bootstrap servers: k1:9092,k2:9092): the connection to a broker failed; ' +
        'the client reconnects, and the other brokers go on answering if they can. Details: broker transport failure',
    );
  });

  it('reports all brokers down as before', () => {
    const down = toClientFailure({ code: -187, message: 'all broker connections are down' });
    expect(runningClientError(down, [], 'Kafka', 'k1:9092').code).toBe('ERR_HONO_BROKERS_DOWN');
  });
});

describe('connectError', () => {
  const certificate = toClientFailure({
    code: -1,
    message:
      'ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed (in state SSL_HANDSHAKE)',
  });

  it('keeps the most telling failure as the cause and names the brokers', () => {
    const transport = toClientFailure({ code: -195, message: 'Local: Broker transport failure' });
    const error = connectError(transport, [brokersDown, certificate], [], '127.0.0.1:9093');
    expect(error).toMatchObject({ code: 'ERR_HONO_TLS', retriable: false });
    expect(error.cause).toMatchObject({ message: certificate.message });
    expect(error.message).toMatch(/^cannot connect to Kafka \(bootstrap servers: 127\.0\.0\.1:9093\): /);
    expect(error.message).toContain('ssl.ca.location');
  });

  it('scrubs secrets from the brokers, the hints and the quoted messages', () => {
    const error = connectError(certificate, [], [PASSWORD], `user:${PASSWORD}@127.0.0.1:9093`);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('commitError', () => {
  it('is a retriable CommitError with the positions and a scrubbed message', () => {
    const offsets = [{ topic: 'hono.event.acme', partition: 1, offset: 42 }];
    const answer = new Error(`Broker: not authorized as ${PASSWORD}`);
    const error = commitError(answer, offsets, [PASSWORD]);
    expect(error).toBeInstanceOf(CommitError);
    expect(error).toMatchObject({ code: 'ERR_HONO_COMMIT_FAILED', retriable: true, offsets });
    expect(error.message).toBe('commit failed: Broker: not authorized as [redacted]');
    expect((error.cause as Error).message).toBe('Broker: not authorized as [redacted]');
  });
});

describe('deadLetterRecord', () => {
  const FAILED_AT = Date.UTC(2024, 5, 1, 12, 0, 0);
  const headers = [{ 'content-type': Buffer.from('application/json') }, { device_id: '4711' }];
  const record: KafkaRecord = {
    topic: 'hono.event.acme',
    partition: 2,
    offset: 1234,
    key: Buffer.from('4711'),
    value: Buffer.from('{"temp":21}'),
    headers,
  };
  const error = HandlerError.failed(record, 3, new Error('database down'));

  /** The dead-letter headers of a record, as name → UTF-8 text. */
  const failureHeaders = (written: ReturnType<typeof deadLetterRecord>): Record<string, string> =>
    Object.fromEntries(
      written.headers
        .slice(headers.length)
        .flatMap((header) => Object.entries(header).map(([name, value]) => [name, value.toString()])),
    );

  it('keeps the key, value and headers, and appends where the record came from and why it failed', () => {
    vi.useFakeTimers({ now: FAILED_AT });
    const written = deadLetterRecord(record, 'hono.event.acme.dlq', error, 3);
    expect(written.topic).toBe('hono.event.acme.dlq');
    expect(written.key).toStrictEqual(Buffer.from('4711'));
    expect(written.value).toBe(record.value);
    expect(written.headers.slice(0, headers.length)).toStrictEqual(headers);
    expect(written.headers.slice(headers.length).map((header) => Object.keys(header))).toStrictEqual([
      ['x-dlq-original-topic'],
      ['x-dlq-original-partition'],
      ['x-dlq-original-offset'],
      ['x-dlq-error-code'],
      ['x-dlq-error-message'],
      ['x-dlq-attempts'],
      ['x-dlq-failed-at'],
    ]);
    expect(failureHeaders(written)).toStrictEqual({
      'x-dlq-original-topic': 'hono.event.acme',
      'x-dlq-original-partition': '2',
      'x-dlq-original-offset': '1234',
      'x-dlq-error-code': 'ERR_HONO_HANDLER_FAILED',
      'x-dlq-error-message': error.message,
      'x-dlq-attempts': '3',
      'x-dlq-failed-at': String(FAILED_AT),
    });
    for (const header of written.headers.slice(headers.length)) {
      for (const value of Object.values(header)) expect(Buffer.isBuffer(value)).toBe(true);
    }
  });

  it('turns a string key into a UTF-8 Buffer', () => {
    const written = deadLetterRecord({ ...record, key: 'gerät-4711' }, 'dlq', error, 1);
    expect(written.key).toStrictEqual(Buffer.from('gerät-4711', 'utf8'));
  });

  it('writes null for a missing key and value, and only the failure headers for a record without any', () => {
    const written = deadLetterRecord(
      { topic: 'hono.event.acme', partition: 0, offset: 5, value: null },
      'dlq',
      error,
      1,
    );
    expect(written.key).toBeNull();
    expect(written.value).toBeNull();
    expect(written.headers.map((header) => Object.keys(header)[0])).toStrictEqual([
      'x-dlq-original-topic',
      'x-dlq-original-partition',
      'x-dlq-original-offset',
      'x-dlq-error-code',
      'x-dlq-error-message',
      'x-dlq-attempts',
      'x-dlq-failed-at',
    ]);
  });

  it('does not change the original record', () => {
    const copy = { ...record, headers: [...headers] };
    deadLetterRecord(copy, 'dlq', error, 1);
    expect(copy.headers).toStrictEqual(headers);
  });
});
