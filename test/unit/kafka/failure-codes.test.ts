/**
 * The failure table: librdkafka's codes and connection log lines (as librdkafka 2.x writes them, copied
 * from runs against the harness broker) map to the likely cause.
 */
import { createRequire } from 'node:module';
import kafka from '@confluentinc/kafka-javascript';
import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  codeOfErrorText,
  errorTexts,
  problemOfCode,
  problems,
  responsePrefix,
} from '../../../src/kafka/failure-codes.js';
import { connectionFailureOf, toClientFailure } from '../../../src/kafka/rdkafka-consumer.js';
import { diagnosisPrefix, tlsBrokerOf } from '../../../src/kafka/tls-diagnosis.js';

const { ERRORS } = kafka.CODES;

/** Real `FAIL` log lines of librdkafka 2.x, one per case the SDK tells apart. */
const logLines = [
  [
    'a CA that did not sign the certificate, or a certificate for another host',
    '[thrd:ssl://127.0.0.1:36583/bootstrap]: ssl://127.0.0.1:36583/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package) (after 5ms in state SSL_HANDSHAKE)',
    'certificate',
  ],
  [
    'TLS against a plaintext listener',
    '[thrd:ssl://127.0.0.1:37757/bootstrap]: ssl://127.0.0.1:37757/bootstrap: SSL handshake failed: Disconnected: SSL connection closed by peer: connecting to a PLAINTEXT broker listener? (after 1ms in state SSL_HANDSHAKE)',
    'tlsToPlaintext',
  ],
  [
    'SASL against a listener without SASL',
    "[thrd:sasl_plaintext://127.0.0.1:37757/bootstrap]: sasl_plaintext://127.0.0.1:37757/bootstrap: SASL SCRAM-SHA-512 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms:  (after 0ms in state AUTH_HANDSHAKE)",
    'saslMismatch',
  ],
  [
    'a wrong password',
    '[thrd:sasl_ssl://127.0.0.1:42401/bootstrap]: sasl_ssl://127.0.0.1:42401/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 309ms in state AUTH_REQ)',
    'credentials',
  ],
  [
    'a port that is not Kafka',
    '[thrd:127.0.0.1:34805/bootstrap]: 127.0.0.1:34805/bootstrap: Receive failed: Invalid response size 1213486160 (0..100000000): increase receive.message.max.bytes (after 0ms in state APIVERSION_QUERY)',
    'notKafka',
  ],
  [
    'a host name that does not resolve',
    "[thrd:no-such-broker.invalid:9092/bootstrap]: no-such-broker.invalid:9092/bootstrap: Failed to resolve 'no-such-broker.invalid:9092': Name or service not known (after 1ms in state CONNECT)",
    'dns',
  ],
  [
    'nothing listening',
    '[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT, 1 identical error(s) suppressed)',
    'refused',
  ],
  [
    'plaintext against a TLS listener',
    '[thrd:127.0.0.1:36583/bootstrap]: 127.0.0.1:36583/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 0ms in state APIVERSION_QUERY)',
    'closedByPeer',
  ],
  [
    'TLS without SASL against a SASL_SSL listener',
    '[thrd:ssl://127.0.0.1:42401/bootstrap]: ssl://127.0.0.1:42401/bootstrap: Send failed: SSL transport error: Broken pipe (after 0ms in state UP)',
    'closedByPeer',
  ],
  [
    'the same, as the broker closes the connection',
    '[thrd:ssl://127.0.0.1:42401/bootstrap]: ssl://127.0.0.1:42401/bootstrap: Disconnected: SSL connection closed by peer (after 0ms in state UP)',
    'closedByPeer',
  ],
  [
    'SASL over TLS against a TLS listener without SASL',
    "[thrd:sasl_ssl://127.0.0.1:36583/bootstrap]: sasl_ssl://127.0.0.1:36583/bootstrap: SASL SCRAM-SHA-512 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms:  (after 0ms in state AUTH_HANDSHAKE)",
    'saslMismatch',
  ],
] as const;

describe('connection log lines', () => {
  it.each(logLines)('%s', (_name, line, problem) => {
    const failure = connectionFailureOf({ severity: 3, fac: 'FAIL', message: line });
    expect(failure).toBeDefined();
    expect(classifyFailure(failure?.code ?? 0, failure?.message ?? '')).toBe(problem);
  });

  it('drops the thread prefix and the timing, so that repeats are equal', () => {
    const first = connectionFailureOf({ fac: 'FAIL', message: logLines[6][1] });
    const again = connectionFailureOf({
      fac: 'FAIL',
      message: logLines[6][1]
        .replace('after 0ms', 'after 12ms')
        .replace(', 1 identical error(s) suppressed', ''),
    });
    expect(first?.message).toBe(
      '127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (in state CONNECT)',
    );
    expect(again?.message).toBe(first?.message);
  });

  it('ignores log lines that are no connection failures', () => {
    expect(connectionFailureOf({ fac: 'CONFWARN', message: 'Configuration property x is deprecated' })).toBe(
      undefined,
    );
    expect(connectionFailureOf({ fac: 'FAIL' })).toBe(undefined);
  });

  it('ends the wait at once only for definitive problems', () => {
    const definitive = Object.entries(problems)
      .filter(([, info]) => info.definitive)
      .map(([name]) => name)
      .sort();
    expect(definitive).toEqual(
      [
        'certificate',
        'credentials',
        'fatal',
        'notKafka',
        'otherHostCertificate',
        'saslMismatch',
        'tlsToPlaintext',
        'untrustedCertificate',
      ].sort(),
    );
  });
});

describe('error codes', () => {
  it("knows librdkafka's own text for every code of the table (checked against err2str)", () => {
    const require = createRequire(import.meta.url);
    const binding = require('@confluentinc/kafka-javascript/librdkafka.js') as {
      err2str(code: number): string;
    };
    for (const [text, code] of errorTexts) {
      // The client passes an error event's text lower-cased, without its `Local: ` or `Broker: ` prefix.
      const parts = binding.err2str(code).split(': ');
      expect((parts[1] ?? parts[0] ?? '').toLowerCase()).toBe(text);
      expect(problemOfCode.has(code)).toBe(true);
    }
    expect(errorTexts.size).toBe(problemOfCode.size);
  });

  it('recovers the code of an error event that arrived with -1', () => {
    expect(codeOfErrorText('ssl error')).toBe(ERRORS.ERR__SSL);
    expect(toClientFailure({ code: -1, message: 'host resolution failure' }).code).toBe(ERRORS.ERR__RESOLVE);
    expect(toClientFailure({ code: -1, message: 'something else' }).code).toBe(-1);
    expect(toClientFailure({ code: -1, message: 'fatal error' }).isFatal).toBe(true);
  });

  it.each([
    [ERRORS.ERR__SSL, 'tls'],
    [ERRORS.ERR__AUTHENTICATION, 'authentication'],
    [ERRORS.ERR_SASL_AUTHENTICATION_FAILED, 'credentials'],
    [ERRORS.ERR_ILLEGAL_SASL_STATE, 'saslMismatch'],
    [ERRORS.ERR__RESOLVE, 'dns'],
    [ERRORS.ERR__BAD_MSG, 'notKafka'],
    [ERRORS.ERR__TIMED_OUT, 'timedOut'],
    [ERRORS.ERR__TRANSPORT, 'unreachable'],
    [ERRORS.ERR__ALL_BROKERS_DOWN, 'unreachable'],
    [ERRORS.ERR_UNKNOWN_TOPIC_OR_PART, 'other'],
  ])('classifies code %i as %s', (code, problem) => {
    expect(classifyFailure(code, 'whatever the text')).toBe(problem);
  });

  it('lets a more specific text beat a generic code, and a fatal flag beat everything', () => {
    expect(classifyFailure(ERRORS.ERR__TRANSPORT, 'SSL handshake failed: certificate verify failed')).toBe(
      'certificate',
    );
    expect(classifyFailure(ERRORS.ERR__SSL, 'Connection refused')).toBe('tls');
    expect(classifyFailure(ERRORS.ERR__TRANSPORT, 'anything', true)).toBe('fatal');
  });
});

describe("the SDK's own certificate check", () => {
  it("is recognised, and beats librdkafka's generic certificate failure", () => {
    expect(classifyFailure(-1, `${diagnosisPrefix.untrusted} the certificate of 127.0.0.1:9093 ...`)).toBe(
      'untrustedCertificate',
    );
    expect(classifyFailure(-1, `${diagnosisPrefix.otherHost} the certificate of 127.0.0.1:9093 ...`)).toBe(
      'otherHostCertificate',
    );
    expect(problems.untrustedCertificate.rank).toBeGreaterThan(problems.certificate.rank);
    expect(problems.otherHostCertificate.rank).toBeGreaterThan(problems.certificate.rank);
  });

  it('finds the broker address in a log line of a TLS listener', () => {
    expect(tlsBrokerOf('ssl://127.0.0.1:36583/bootstrap: SSL handshake failed')).toBe('127.0.0.1:36583');
    expect(tlsBrokerOf('sasl_ssl://kafka-1.example:9094/1: SSL handshake failed')).toBe(
      'kafka-1.example:9094',
    );
    expect(tlsBrokerOf('127.0.0.1:1/bootstrap: Connection refused')).toBe(undefined);
  });
});

describe('responsePrefix', () => {
  it('reads the four bytes of an "Invalid response size" as text when printable', () => {
    expect(responsePrefix('Invalid response size 1213486160 (0..100000000)')).toBe('HTTP');
    expect(responsePrefix('Invalid response size 5 (0..100000000)')).toBe(undefined);
    expect(responsePrefix('Connection refused')).toBe(undefined);
  });
});
