/**
 * The one table that says what a failure of the Kafka client means: by librdkafka's numeric error code
 * where the client reports one, by the text of librdkafka's connection log lines where it does not.
 *
 * What librdkafka 2.x (through `@confluentinc/kafka-javascript` 1.10) really reports while it connects:
 * - `connect()` fails with `ERR__TRANSPORT` (-195) whatever went wrong, and only at its deadline;
 * - `event.error` events carry code -1 and librdkafka's text for the code (`ssl error`, `authentication
 *   failure`, `host resolution failure`, ...), and arrive only after `connect()` returned;
 * - the cause itself (`certificate verify failed`, `connecting to a PLAINTEXT broker listener?`,
 *   `Connection refused`, ...) is only in the `FAIL` log lines, which arrive at once.
 * So codes are recovered from the error texts ({@link codeOfErrorText}), and log lines are read for the cause.
 */
import kafka from '@confluentinc/kafka-javascript';
import { diagnosisPrefix } from './tls-diagnosis.js';

const { ERRORS } = kafka.CODES;

/** What most likely went wrong when the client could not talk to the brokers. */
export type ConnectProblem =
  | 'fatal'
  | 'untrustedCertificate'
  | 'otherHostCertificate'
  | 'certificate'
  | 'tls'
  | 'credentials'
  | 'saslMismatch'
  | 'tlsToPlaintext'
  | 'notKafka'
  | 'authentication'
  | 'closedByPeer'
  | 'dns'
  | 'refused'
  | 'timedOut'
  | 'unreachable'
  | 'other';

/** The SDK's stable code for each kind of problem (see `KafkaClientErrorCode` in `errors.ts`). */
export type ProblemCode =
  | 'ERR_HONO_KAFKA_FATAL'
  | 'ERR_HONO_TLS'
  | 'ERR_HONO_AUTHENTICATION'
  | 'ERR_HONO_PROTOCOL_MISMATCH'
  | 'ERR_HONO_BROKERS_DOWN'
  | 'ERR_HONO_KAFKA';

/** How a problem is reported. */
export interface ProblemInfo {
  /** The SDK error code. */
  readonly code: ProblemCode;
  /** The likely cause and the next step, in words, for the error message. */
  readonly hint: string;
  /**
   * Whether one report settles it: retrying will not help, so `run()` gives up at once instead of
   * waiting for `connectTimeoutMs`.
   */
  readonly definitive: boolean;
  /** Higher wins when several problems were seen at once. */
  readonly rank: number;
}

/** Every problem: its code, hint and weight. Ranks follow the order (most specific first). */
export const problems: Readonly<Record<ConnectProblem, ProblemInfo>> = {
  fatal: {
    code: 'ERR_HONO_KAFKA_FATAL',
    hint: 'the client hit a fatal error and must be recreated',
    definitive: true,
    rank: 16,
  },
  untrustedCertificate: {
    code: 'ERR_HONO_TLS',
    hint:
      "the broker's TLS certificate was rejected: it is not signed by a CA this client trusts; set " +
      'ssl.ca.location (on the command line --ca-file) to the PEM file of the CA that signed the ' +
      "brokers' certificates",
    definitive: true,
    rank: 15,
  },
  otherHostCertificate: {
    code: 'ERR_HONO_TLS',
    hint:
      "the broker's TLS certificate was rejected: it does not name the host in the bootstrap servers; " +
      'check the host name and connect with a name the certificate lists',
    definitive: true,
    rank: 14,
  },
  certificate: {
    code: 'ERR_HONO_TLS',
    hint:
      "the broker's TLS certificate was rejected: either it is not signed by a CA this client trusts " +
      '(set ssl.ca.location, on the command line --ca-file, to the PEM file of the CA that signed the ' +
      "brokers' certificates), or it does not name the host in the bootstrap servers (check the host " +
      'name: connect with a name the certificate lists)',
    definitive: true,
    rank: 12,
  },
  tls: {
    code: 'ERR_HONO_TLS',
    hint:
      'the TLS handshake failed: check the ssl.* settings (CA file, client certificate and key) and that the ' +
      'port is a TLS listener',
    definitive: false,
    rank: 11,
  },
  credentials: {
    code: 'ERR_HONO_AUTHENTICATION',
    hint:
      'the brokers refused the login (SASL authentication failed): check the user name, password and ' +
      'sasl.mechanisms',
    definitive: true,
    rank: 10,
  },
  saslMismatch: {
    code: 'ERR_HONO_PROTOCOL_MISMATCH',
    hint:
      'the listener does not accept this SASL login (it does not use SASL, or not this mechanism): use the ' +
      "cluster's SASL port, or drop the SASL settings (security.protocol without sasl_, no --sasl-mechanism)",
    definitive: true,
    rank: 9,
  },
  tlsToPlaintext: {
    code: 'ERR_HONO_PROTOCOL_MISMATCH',
    hint:
      'the client speaks TLS but the listener does not (a PLAINTEXT or SASL_PLAINTEXT port): use the ' +
      "cluster's TLS port, or drop TLS (security.protocol plaintext or sasl_plaintext, no --tls)",
    definitive: true,
    rank: 8,
  },
  notKafka: {
    code: 'ERR_HONO_PROTOCOL_MISMATCH',
    hint: 'something answered on that port, but not a Kafka broker: check the port',
    definitive: true,
    rank: 7,
  },
  authentication: {
    code: 'ERR_HONO_AUTHENTICATION',
    hint:
      'the SASL login failed: check the user name, password and sasl.mechanisms, and that the listener ' +
      'uses SASL',
    definitive: false,
    rank: 6,
  },
  closedByPeer: {
    code: 'ERR_HONO_PROTOCOL_MISMATCH',
    hint:
      'the broker closed the connection at once: its listener most likely expects TLS or SASL (set ' +
      'security.protocol to ssl, sasl_ssl or sasl_plaintext to match it; on the command line --tls, ' +
      '--sasl-mechanism), or the port is not a Kafka listener',
    definitive: false,
    rank: 5,
  },
  dns: {
    code: 'ERR_HONO_BROKERS_DOWN',
    hint: 'the host name does not resolve (DNS): check the spelling of the bootstrap servers',
    definitive: false,
    rank: 4,
  },
  refused: {
    code: 'ERR_HONO_BROKERS_DOWN',
    hint: 'nothing listens on that port (connection refused): check host and port, and that Kafka runs',
    definitive: false,
    rank: 3,
  },
  timedOut: {
    code: 'ERR_HONO_BROKERS_DOWN',
    hint:
      'no broker answered in time: check host and port, and that no firewall drops the connection; ' +
      'a longer connectTimeoutMs (--connect-timeout) helps only a slow network',
    definitive: false,
    rank: 2,
  },
  unreachable: {
    code: 'ERR_HONO_BROKERS_DOWN',
    hint:
      'no broker answered in time: check host and port, that Kafka runs there and that no firewall drops ' +
      'the connection; only a slow network needs a longer connectTimeoutMs (--connect-timeout)',
    definitive: false,
    rank: 1,
  },
  other: { code: 'ERR_HONO_KAFKA', hint: '', definitive: false, rank: 0 },
};

/**
 * Whether a failure reported after the start is the loss of one broker's connection (librdkafka's
 * `ERR__TRANSPORT`), not of all of them (`ERR__ALL_BROKERS_DOWN`): librdkafka reconnects, and the other
 * brokers may go on answering.
 *
 * @param code - the client's error code
 * @returns true for a broker connection that failed
 */
export function isBrokerConnectionFailure(code: number): boolean {
  return code === ERRORS.ERR__TRANSPORT;
}

/** librdkafka's numeric codes and what they mean. */
export const problemOfCode: ReadonlyMap<number, ConnectProblem> = new Map<number, ConnectProblem>([
  [ERRORS.ERR__FATAL, 'fatal'],
  [ERRORS.ERR__SSL, 'tls'],
  // Any SASL failure, a wrong password or a listener without SASL: the log line tells which.
  [ERRORS.ERR__AUTHENTICATION, 'authentication'],
  [ERRORS.ERR_SASL_AUTHENTICATION_FAILED, 'credentials'],
  [ERRORS.ERR_ILLEGAL_SASL_STATE, 'saslMismatch'],
  [ERRORS.ERR_UNSUPPORTED_SASL_MECHANISM, 'saslMismatch'],
  [ERRORS.ERR__BAD_MSG, 'notKafka'],
  [ERRORS.ERR__RESOLVE, 'dns'],
  [ERRORS.ERR__TIMED_OUT, 'timedOut'],
  [ERRORS.ERR__TRANSPORT, 'unreachable'],
  [ERRORS.ERR__ALL_BROKERS_DOWN, 'unreachable'],
]);

/**
 * librdkafka's text for each code above, as the client's `event.error` passes it (lower case, without
 * the `Local: ` / `Broker: ` prefix) with code -1: the way back to the code. Checked against
 * librdkafka's own `err2str` by the unit tests.
 */
export const errorTexts: ReadonlyMap<string, number> = new Map([
  ['fatal error', ERRORS.ERR__FATAL],
  ['ssl error', ERRORS.ERR__SSL],
  ['authentication failure', ERRORS.ERR__AUTHENTICATION],
  ['sasl authentication failed', ERRORS.ERR_SASL_AUTHENTICATION_FAILED],
  ['request not valid in current sasl state', ERRORS.ERR_ILLEGAL_SASL_STATE],
  ['unsupported sasl mechanism', ERRORS.ERR_UNSUPPORTED_SASL_MECHANISM],
  ['bad message format', ERRORS.ERR__BAD_MSG],
  ['host resolution failure', ERRORS.ERR__RESOLVE],
  ['timed out', ERRORS.ERR__TIMED_OUT],
  ['broker transport failure', ERRORS.ERR__TRANSPORT],
  ['all broker connections are down', ERRORS.ERR__ALL_BROKERS_DOWN],
]);

/**
 * The numeric code behind the text of an `event.error` that arrived with code -1.
 *
 * @param text - the error's message
 * @returns the code, or undefined for a text that is not one of {@link errorTexts}
 */
export function codeOfErrorText(text: string): number | undefined {
  return errorTexts.get(text.trim().toLowerCase());
}

/**
 * What librdkafka's connection log lines (`FAIL`) say, most specific first. Log lines carry no code:
 * this is the only place where the SDK reads the client's words.
 */
const logPatterns: readonly (readonly [RegExp, ConnectProblem])[] = [
  // The SDK's own words, from its check of a rejected certificate (tls-diagnosis.ts).
  [new RegExp(`^${diagnosisPrefix.untrusted}`), 'untrustedCertificate'],
  [new RegExp(`^${diagnosisPrefix.otherHost}`), 'otherHostCertificate'],
  [/certificate verify failed|certificate could not be verified/i, 'certificate'],
  [
    /connecting to a PLAINTEXT broker listener|wrong version number|packet length too long/i,
    'tlsToPlaintext',
  ],
  [
    /SASL .*mechanism handshake failed|Unsupported SASL mechanism|not valid in current SASL state/i,
    'saslMismatch',
  ],
  [/SASL authentication error|Authentication failed|invalid credentials/i, 'credentials'],
  [/Invalid response size/i, 'notKafka'],
  [/Failed to resolve/i, 'dns'],
  [/Connection refused/i, 'refused'],
  // Closed by the broker right after connecting (or after the TLS handshake): it expects TLS or SASL.
  [
    /(?:connection closed by peer: receive 0 after POLLIN|SSL connection closed by peer|SSL transport error: Broken pipe) \((?:after \d+ms )?in state (?:APIVERSION_QUERY|UP)/i,
    'closedByPeer',
  ],
  [/SSL handshake failed|SSL transport error|SSL routines/i, 'tls'],
  [/timed out|Connection setup timed out/i, 'timedOut'],
];

/**
 * What a failure most likely means: by its numeric code where it has a telling one, else by its text.
 *
 * @param code - librdkafka's code, or -1 when the client gave none
 * @param message - the client's message or log line
 * @param isFatal - the client's fatal flag
 * @returns the problem
 */
export function classifyFailure(code: number, message: string, isFatal = false): ConnectProblem {
  if (isFatal) return 'fatal';
  const byText = logPatterns.find(([pattern]) => pattern.test(message))?.[1];
  const byCode = problemOfCode.get(code) ?? problemOfCode.get(codeOfErrorText(message) ?? 0);
  // A code decides, unless the text names something more specific (a transport failure that the log
  // says was a rejected certificate, say).
  if (byCode === undefined) return byText ?? 'other';
  if (byText === undefined) return byCode;
  return problems[byText].rank > problems[byCode].rank ? byText : byCode;
}

/**
 * The bytes of an "Invalid response size" as text, when printable: `HTTP` tells that an HTTP server
 * answered.
 *
 * @param message - a log line
 * @returns the four characters, or undefined
 */
export function responsePrefix(message: string): string | undefined {
  const size = /Invalid response size (\d+)/.exec(message)?.[1];
  if (size === undefined) return undefined;
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(Number(size) >>> 0);
  const text = bytes.toString('latin1');
  return /^[\x20-\x7e]{4}$/.test(text) ? text : undefined;
}
