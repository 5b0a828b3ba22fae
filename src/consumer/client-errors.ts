/**
 * Turns the client's failures into the SDK's typed errors (secret values scrubbed from every message),
 * and builds dead-letter records.
 */
import { CommitError, type HonoKafkaError, KafkaClientError, type KafkaClientErrorCode } from '../errors.js';
import { ClientFailure, clientCodes, type TopicPartitionOffset } from '../kafka/rdkafka-consumer.js';
import type { OutgoingRecord } from '../kafka/rdkafka-producer.js';
import type { KafkaRecord } from '../wire/types.js';

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

/** How specific each kind is: the most specific failure among related ones decides the code. */
const specificity: Record<KafkaClientErrorCode, number> = {
  ERR_HONO_KAFKA_FATAL: 3,
  ERR_HONO_AUTHENTICATION: 2,
  ERR_HONO_BROKERS_DOWN: 1,
  ERR_HONO_KAFKA: 0,
};

function kindOf(failure: ClientFailure): KafkaClientErrorCode {
  if (failure.isFatal) return 'ERR_HONO_KAFKA_FATAL';
  if (failure.code === clientCodes.authentication || /authentication|sasl/i.test(failure.message)) {
    return 'ERR_HONO_AUTHENTICATION';
  }
  if (
    failure.code === clientCodes.allBrokersDown ||
    /all broker connections are down|broker transport failure|connection refused|timed out/i.test(
      failure.message,
    )
  ) {
    return 'ERR_HONO_BROKERS_DOWN';
  }
  return 'ERR_HONO_KAFKA';
}

/**
 * The SDK error for a client failure.
 *
 * @param failure - the client's failure
 * @param secrets - values to scrub from messages
 * @param related - further failures seen at the same time (the most specific one decides the code)
 * @param operation - what the SDK was doing, for the message
 * @returns a typed error whose `cause` is the original failure
 */
export function clientError(
  failure: ClientFailure,
  secrets: readonly string[],
  related: readonly ClientFailure[],
  operation = 'Kafka',
): KafkaClientError {
  const all = [failure, ...related];
  const code = all.map(kindOf).reduce((best, kind) => (specificity[kind] > specificity[best] ? kind : best));
  const detail = scrub(`${operation}: ${[...new Set(all.map((f) => f.message))].join('; ')}`, secrets);
  // The cause is a scrubbed copy: loggers print causes, and the client's own error quotes its input.
  const cause = new ClientFailure(failure.code, scrub(failure.message, secrets), failure, undefined);
  return new KafkaClientError(code, detail, {
    cause,
    retriable: code === 'ERR_HONO_BROKERS_DOWN' || (code === 'ERR_HONO_KAFKA' && failure.isRetriable),
  });
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
