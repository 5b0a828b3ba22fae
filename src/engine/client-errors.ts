/**
 * Turns the client's failures into the SDK's typed errors (secret values scrubbed from every message),
 * and builds dead-letter records.
 */
import { CommitError, type HonoKafkaError, KafkaClientError, type KafkaClientErrorCode } from '../errors.js';
import {
  classifyFailure,
  type ConnectProblem,
  isBrokerConnectionFailure,
  type ProblemCode,
  problems,
  responsePrefix,
} from '../kafka/failure-codes.js';
import { ClientFailure, type OutgoingRecord } from './client.js';
import type { KafkaRecord, TopicPartitionOffset } from '../types.js';

/**
 * Replaces every secret value in a text with `[redacted]`.
 *
 * @param text - a message that may quote configuration
 * @param secrets - the values to hide
 * @returns the scrubbed text
 */
export function scrub(text: string, secrets: readonly string[]): string {
  // Longest first, so that a secret containing another one is replaced whole.
  return [...secrets]
    .filter((secret) => secret !== '')
    .sort((a, b) => b.length - a.length)
    .reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

/** Every code of the failure table is an SDK code. */
const codeOf = (problem: ConnectProblem): KafkaClientErrorCode =>
  problems[problem].code satisfies ProblemCode;

/** What a failure most likely means (see `kafka/failure-codes.ts`). */
function problemOf(failure: ClientFailure): ConnectProblem {
  return classifyFailure(failure.code, failure.message, failure.isFatal);
}

/** How many of the client's own messages an error quotes. */
const quotedMessages = 4;

/**
 * The SDK error for a client failure: the most specific of the failures decides the code; the message
 * names the bootstrap servers (when given), the likely cause with a next step, and what the client said.
 *
 * @param failure - the client's failure
 * @param secrets - values to scrub from messages
 * @param related - further failures seen at the same time (the most specific one decides the code)
 * @param operation - what the SDK was doing, for the message
 * @param brokers - the bootstrap servers, named in the message
 * @returns a typed error whose `cause` is the original failure
 */
export function clientError(
  failure: ClientFailure,
  secrets: readonly string[],
  related: readonly ClientFailure[],
  operation = 'Kafka',
  brokers?: string,
): KafkaClientError {
  const all = [failure, ...related];
  const problem = all
    .map(problemOf)
    .reduce((best, next) => (problems[next].rank > problems[best].rank ? next : best));
  const code = codeOf(problem);
  // The client's messages, those behind the chosen cause first.
  const messages = [
    ...new Set([...all.filter((f) => problemOf(f) === problem), ...all].map((f) => f.message)),
  ];
  const quoted = messages.slice(0, quotedMessages).join('; ');
  const more = messages.length > quotedMessages ? ` (and ${messages.length - quotedMessages} more)` : '';
  const where = brokers === undefined ? '' : ` (bootstrap servers: ${brokers})`;
  const prefix =
    problem === 'notKafka' ? messages.map(responsePrefix).find((p) => p !== undefined) : undefined;
  const hint = problems[problem].hint + (prefix === undefined ? '' : ` (its answer starts with "${prefix}")`);
  const text =
    hint === ''
      ? `${operation}${where}: ${quoted}${more}`
      : `${operation}${where}: ${hint}. Details: ${quoted}${more}`;
  // The cause is a scrubbed copy: loggers print causes, and the client's own error quotes its input.
  const cause = new ClientFailure(failure.code, scrub(failure.message, secrets), failure, undefined);
  return new KafkaClientError(code, scrub(text, secrets), {
    cause,
    retriable: code === 'ERR_HONO_BROKERS_DOWN' || (code === 'ERR_HONO_KAFKA' && failure.isRetriable),
  });
}

/**
 * The SDK error for a failure a running client reports. The loss of one broker's connection is no
 * "brokers down": librdkafka reconnects, and the other brokers may go on answering; it is a retriable
 * `ERR_HONO_KAFKA` that says so (found by the `commands-broker-restart` fault scenario, where one broker
 * of three was killed). Everything else is {@link clientError}.
 *
 * @param failure - the client's failure
 * @param secrets - values to scrub from messages
 * @param operation - what the SDK was doing, for the message
 * @param brokers - the bootstrap servers, named in the message
 * @returns a typed error whose `cause` is the original failure
 */
export function runningClientError(
  failure: ClientFailure,
  secrets: readonly string[],
  operation: string,
  brokers: string,
): KafkaClientError {
  if (!isBrokerConnectionFailure(failure.code)) return clientError(failure, secrets, [], operation, brokers);
  const text =
    `${operation} (bootstrap servers: ${brokers}): the connection to a broker failed; the client ` +
    `reconnects, and the other brokers go on answering if they can. Details: ${failure.message}`;
  const cause = new ClientFailure(failure.code, scrub(failure.message, secrets), failure, undefined);
  return new KafkaClientError('ERR_HONO_KAFKA', scrub(text, secrets), { cause, retriable: true });
}

/**
 * The SDK error for a `run()` that could not connect: the most telling failure seen meanwhile is the
 * cause; the message names the bootstrap servers.
 *
 * @param failure - what the connect attempt ended with
 * @param seen - every failure the client reported meanwhile (log lines and error events)
 * @param secrets - values to scrub from messages
 * @param brokers - the bootstrap servers
 * @returns the typed error
 */
export function connectError(
  failure: ClientFailure,
  seen: readonly ClientFailure[],
  secrets: readonly string[],
  brokers: string,
): KafkaClientError {
  const all = [...seen, failure];
  const telling = all.reduce((best, next) =>
    problems[problemOf(next)].rank > problems[problemOf(best)].rank ? next : best,
  );
  return clientError(telling, secrets, all, 'cannot connect to Kafka', brokers);
}

/**
 * The SDK error for a commit the broker did not confirm.
 *
 * @param answer - the failure
 * @param offsets - the positions of the commit
 * @param secrets - values to scrub from messages
 * @returns a retriable {@link CommitError}
 */
export function commitError(
  answer: Error,
  offsets: readonly TopicPartitionOffset[],
  secrets: readonly string[],
): CommitError {
  return new CommitError(scrub(`commit failed: ${answer.message}`, secrets), offsets, {
    cause: new Error(scrub(answer.message, secrets)),
  });
}

/**
 * The record written to the dead-letter topic: the original key, value and headers, plus headers that
 * say where it came from and why it failed.
 *
 * @param record - the failed record
 * @param topic - the dead-letter topic
 * @param error - the last failure
 * @param attempts - how many attempts were made
 * @returns the record to produce
 */
export function deadLetterRecord(
  record: KafkaRecord,
  topic: string,
  error: HonoKafkaError,
  attempts: number,
): OutgoingRecord {
  const text = (value: string | number): Buffer => Buffer.from(String(value), 'utf8');
  return {
    topic,
    key: typeof record.key === 'string' ? Buffer.from(record.key, 'utf8') : (record.key ?? null),
    value: record.value ?? null,
    headers: [
      ...(record.headers ?? []),
      { 'x-dlq-original-topic': text(record.topic) },
      { 'x-dlq-original-partition': text(record.partition) },
      { 'x-dlq-original-offset': text(record.offset) },
      { 'x-dlq-error-code': text(error.code) },
      { 'x-dlq-error-message': text(error.message) },
      { 'x-dlq-attempts': text(attempts) },
      { 'x-dlq-failed-at': text(Date.now()) },
    ],
  };
}
