/**
 * The SDK's `node:diagnostics_channel` channels: their names, the messages published on them, and the
 * channel objects the observers publish through. A message is built only while a channel has subscribers,
 * so that nothing is paid while no tool listens.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { HandlerError, HonoKafkaError } from '../errors.js';
import type { TopicPartitionOffset } from '../types.js';

/**
 * The names of the SDK's `node:diagnostics_channel` channels, for tools that do not use OpenTelemetry:
 * subscribe with `diagnostics_channel.subscribe(diagnosticsChannels.handlerEnd, listener)`. Each channel
 * publishes one message type (see the interfaces named in each entry); nothing is built or published
 * while a channel has no subscriber.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel';
 * import { diagnosticsChannels, type HandlerEndMessage } from 'eclipse-hono-kafka';
 *
 * diagnosticsChannel.subscribe(diagnosticsChannels.handlerEnd, (message) => {
 *   const { topic, offset, durationMs, error } = message as HandlerEndMessage;
 *   if (error !== undefined) console.warn(`handler failed at ${topic}@${String(offset)}`, error.code);
 *   else if (durationMs > 1000) console.warn(`slow handler at ${topic}@${String(offset)}: ${String(durationMs)} ms`);
 * });
 * ```
 * @category Observability
 */
export const diagnosticsChannels = {
  /** A consumer calls its handler for a record (each attempt): {@link HandlerStartMessage}. */
  handlerStart: 'eclipse-hono-kafka:consumer:handler:start',
  /** A handler call settled, successfully or not: {@link HandlerEndMessage}. */
  handlerEnd: 'eclipse-hono-kafka:consumer:handler:end',
  /** A consumer's poll delivered records: {@link FetchedMessage}. */
  fetched: 'eclipse-hono-kafka:consumer:fetched',
  /** The broker answered a consumer's commit, or did not in time: {@link CommitMessage}. */
  commit: 'eclipse-hono-kafka:consumer:commit',
  /**
   * A record was not handled successfully this time: retried, skipped, dead-lettered, expired or not
   * decodable: {@link RecordOutcomeMessage}.
   */
  record: 'eclipse-hono-kafka:consumer:record',
  /** The command client's write of a command ended: acknowledged or failed: {@link CommandSentMessage}. */
  commandSent: 'eclipse-hono-kafka:command:sent',
  /** A request of the command client ended: its response, or why none came: {@link CommandResponseMessage}. */
  commandResponse: 'eclipse-hono-kafka:command:response',
} as const;

/**
 * The name of one of the SDK's diagnostics channels.
 *
 * @category Observability
 */
export type DiagnosticsChannelName = (typeof diagnosticsChannels)[keyof typeof diagnosticsChannels];

/**
 * Which consumer a message comes from.
 *
 * @category Observability
 */
export interface ConsumerMessageSource {
  /** The consumer group. */
  readonly groupId: string;
  /** The consumer's client id. */
  readonly clientId: string;
}

/**
 * A record's place in the log.
 *
 * @category Observability
 */
export interface RecordPlace {
  /** The topic, e.g. `hono.event.DEFAULT_TENANT`. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The offset. */
  readonly offset: number;
}

/**
 * Published on {@link diagnosticsChannels}`.handlerStart` when a handler call starts.
 *
 * @category Observability
 */
export interface HandlerStartMessage extends ConsumerMessageSource, RecordPlace {
  /** The device the record is about; undefined for a record that did not decode. */
  readonly deviceId: string | undefined;
  /** The tenant, for a Hono event or a command response; undefined otherwise. */
  readonly tenantId: string | undefined;
  /** 1 for the first call of this record, 2 for its first retry, and so on. */
  readonly attempt: number;
}

/**
 * Published on {@link diagnosticsChannels}`.handlerEnd` when a handler call settled.
 *
 * @category Observability
 */
export interface HandlerEndMessage extends HandlerStartMessage {
  /** How long the call took, in ms (a timed-out call: until its timeout). */
  readonly durationMs: number;
  /** Why it failed (a timeout included); undefined when it succeeded. */
  readonly error: HandlerError | undefined;
}

/**
 * Published on {@link diagnosticsChannels}`.fetched` when a poll delivered records.
 *
 * @category Observability
 */
export interface FetchedMessage extends ConsumerMessageSource {
  /** The number of records the poll delivered (before they are decoded). */
  readonly count: number;
}

/**
 * Published on {@link diagnosticsChannels}`.commit` when the broker answered a commit, or did not in time.
 *
 * @category Observability
 */
export interface CommitMessage extends ConsumerMessageSource {
  /** The positions committed: the offset of the next record to read, per partition. */
  readonly positions: readonly TopicPartitionOffset[];
  /** From the request to the answer (or the timeout), in ms. */
  readonly durationMs: number;
  /** Why it failed; undefined when the broker confirmed it. */
  readonly error: HonoKafkaError | undefined;
}

/**
 * What became of a record that was not handled successfully this time.
 *
 * - `retrying`: its handler failed and is called again after a delay;
 * - `skipped`: it was given up (retries exhausted, or a handler's decision) and its offset completed;
 * - `deadLettered`: it was written to the dead-letter topic;
 * - `expired`: its `ttl` had passed before it was handled, so it was not;
 * - `decodeError`: it is no valid Hono record.
 *
 * @category Observability
 */
export type RecordOutcome = 'retrying' | 'skipped' | 'deadLettered' | 'expired' | 'decodeError';

/**
 * Published on {@link diagnosticsChannels}`.record` when a record was not handled successfully this time.
 *
 * @category Observability
 */
export interface RecordOutcomeMessage extends ConsumerMessageSource, RecordPlace {
  /** What became of it. */
  readonly outcome: RecordOutcome;
  /** For `retrying`: the attempt that failed (1 for the first call); undefined otherwise. */
  readonly attempt: number | undefined;
  /** For `retrying`: the delay before the next call, in ms; undefined otherwise. */
  readonly delayMs: number | undefined;
  /** For `deadLettered`: the topic it was written to; undefined otherwise. */
  readonly deadLetterTopic: string | undefined;
  /** Why (the handler's error, the decode error); undefined for `expired`. */
  readonly error: HonoKafkaError | undefined;
}

/**
 * The kind of a command client call: `oneWay` (`sendOneWay()`), `send` (`send()`, a request whose
 * response the application reads itself) or `request` (`request()`).
 *
 * @category Observability
 */
export type CommandCallKind = 'oneWay' | 'send' | 'request';

/**
 * The command a message is about.
 *
 * @category Observability
 */
export interface CommandMessageSubject {
  /** The kind of call. */
  readonly kind: CommandCallKind;
  /** The tenant. */
  readonly tenantId: string;
  /** The device. */
  readonly deviceId: string;
  /** The command name (the `subject` header). */
  readonly name: string;
  /** The `correlation-id` of a request; undefined for a one-way command. */
  readonly correlationId: string | undefined;
}

/**
 * Published on {@link diagnosticsChannels}`.commandSent` when the write of a command ended: the broker
 * acknowledged it, or it failed (the call's error: not written, timed out, the client closed).
 *
 * @category Observability
 */
export interface CommandSentMessage extends CommandMessageSubject {
  /** The topic, `hono.command.<tenant>`. */
  readonly topic: string;
  /** From the call to the acknowledgement or the failure, in ms. */
  readonly durationMs: number;
  /** Why it was not acknowledged; undefined when it was. */
  readonly error: HonoKafkaError | undefined;
}

/**
 * How a request ended:
 *
 * - `response`: the device answered (any status);
 * - `deliveryFailure`: Hono answered that it could not deliver the command;
 * - `timeout`: no response within the call's timeout (sending included);
 * - `error`: it failed otherwise (not written, the response reader failed, a malformed response, the
 *   client closed).
 *
 * @category Observability
 */
export type RequestOutcome = 'response' | 'deliveryFailure' | 'timeout' | 'error';

/**
 * Published on {@link diagnosticsChannels}`.commandResponse` when a request ended.
 *
 * @category Observability
 */
export interface CommandResponseMessage extends CommandMessageSubject {
  /** How it ended. */
  readonly outcome: RequestOutcome;
  /** The response's status, for `response` and `deliveryFailure`; undefined otherwise. */
  readonly status: number | undefined;
  /** From the call to its end, in ms. */
  readonly durationMs: number;
  /** The call's error, for `timeout` and `error`; undefined otherwise. */
  readonly error: unknown;
}

/** The channel objects, made once: `diagnostics_channel.channel()` returns the same object for a name. */
export const channels = {
  handlerStart: diagnosticsChannel.channel(diagnosticsChannels.handlerStart),
  handlerEnd: diagnosticsChannel.channel(diagnosticsChannels.handlerEnd),
  fetched: diagnosticsChannel.channel(diagnosticsChannels.fetched),
  commit: diagnosticsChannel.channel(diagnosticsChannels.commit),
  record: diagnosticsChannel.channel(diagnosticsChannels.record),
  commandSent: diagnosticsChannel.channel(diagnosticsChannels.commandSent),
  commandResponse: diagnosticsChannel.channel(diagnosticsChannels.commandResponse),
} as const;
