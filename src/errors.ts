/**
 * The SDK's errors: one base class with a stable string `code`, a `retriable` flag and `cause`, and one
 * subclass per failure kind.
 *
 * @module
 */
import type { KafkaRecord, TopicPartitionOffset } from './types.js';

/** Brand shared by every copy of this package, so that {@link isHonoKafkaError} works across installs. */
const kHonoKafkaError = Symbol.for('eclipse-hono-kafka.HonoKafkaError');

/**
 * Why a Kafka record could not be decoded into a Hono event. Each value is the stable `code` of a
 * {@link DecodeError}.
 *
 * @category Errors
 */
export const DecodeErrorCode = {
  /** The record is not shaped like a record of the Kafka client (e.g. a header value that is no Buffer). */
  MalformedRecord: 'ERR_HONO_MALFORMED_RECORD',
  /**
   * The topic is not `hono.event.<tenant>` or `hono.telemetry.<tenant>` with a valid tenant id (or, for
   * {@link decodeCommandResponse}, not `hono.command_response.<tenant>` and no `tenant_id` header).
   */
  NotHonoTopic: 'ERR_HONO_NOT_HONO_TOPIC',
  /** Neither the record key nor the `device_id` header names a device. */
  MissingDeviceId: 'ERR_HONO_MISSING_DEVICE_ID',
  /** The record key and the `device_id` header name different devices. */
  DeviceIdMismatch: 'ERR_HONO_DEVICE_ID_MISMATCH',
  /** The `tenant_id` header names another tenant than the topic. */
  TenantMismatch: 'ERR_HONO_TENANT_MISMATCH',
  /** A header that this kind of event requires is absent (see {@link DecodeError.header}). */
  MissingHeader: 'ERR_HONO_MISSING_HEADER',
  /** A header value is not what Hono writes, e.g. a non-numeric `ttd` (see {@link DecodeError.header}). */
  BadHeader: 'ERR_HONO_BAD_HEADER',
  /** The value of a connection event is no valid JSON object of the right shape (see {@link DecodeError.field}). */
  BadConnectionPayload: 'ERR_HONO_BAD_CONNECTION_PAYLOAD',
  /** An empty notification or a provisioning notification has a non-empty value. */
  UnexpectedPayload: 'ERR_HONO_UNEXPECTED_PAYLOAD',
  /**
   * A command response has no `correlation-id` header, or an empty one: it cannot be matched to a
   * command (Hono's Java sender ignores such a response).
   */
  MissingCorrelationId: 'ERR_HONO_MISSING_CORRELATION_ID',
  /** A command response has no `status` header (Hono's Java sender treats it as 500). */
  MissingStatus: 'ERR_HONO_MISSING_STATUS',
  /** The `status` header of a command response is not a JSON integer of Java's `int` range, e.g. `OK` or `200.5`. */
  BadStatus: 'ERR_HONO_BAD_STATUS',
  /**
   * A command response with the delivery-failure content type whose value is not the JSON object
   * `{"error": "<text>"}` that Hono writes (no value, no JSON, or no string `error`).
   */
  BadDeliveryFailure: 'ERR_HONO_BAD_DELIVERY_FAILURE',
} as const;

/**
 * The code of a {@link DecodeError}: one of the values of {@link DecodeErrorCode}.
 *
 * @category Errors
 */
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

/**
 * Why the consumer could not talk to Kafka. Each value is the stable `code` of a {@link KafkaClientError}.
 *
 * @category Errors
 */
export const KafkaClientErrorCode = {
  /**
   * No broker answered: nothing listens at the address, the host name does not resolve, the first
   * connection timed out, or all connections are down. Retriable.
   */
  BrokersDown: 'ERR_HONO_BROKERS_DOWN',
  /** The brokers refused the SASL login (user name, password). */
  Authentication: 'ERR_HONO_AUTHENTICATION',
  /**
   * TLS failed: the broker's certificate was rejected (not signed by a CA in `ssl.ca.location`, or not
   * for the host name connected to), or the handshake failed otherwise.
   */
  Tls: 'ERR_HONO_TLS',
  /**
   * The listener does not speak what the client sends: TLS against a plaintext listener, SASL against a
   * listener without SASL (or without that mechanism), no TLS or SASL where the listener expects it, or a
   * port that is not Kafka at all. Fix `security.protocol` or the port.
   */
  ProtocolMismatch: 'ERR_HONO_PROTOCOL_MISMATCH',
  /** The client hit a fatal error and must be recreated; the consumer stops. */
  Fatal: 'ERR_HONO_KAFKA_FATAL',
  /** Any other failure reported by the Kafka client. */
  Client: 'ERR_HONO_KAFKA',
} as const;

/**
 * The code of a {@link KafkaClientError}: one of the values of {@link KafkaClientErrorCode}.
 *
 * @category Errors
 */
export type KafkaClientErrorCode = (typeof KafkaClientErrorCode)[keyof typeof KafkaClientErrorCode];

/**
 * Why a handler failed. Each value is the stable `code` of a {@link HandlerError}.
 *
 * @category Errors
 */
export const HandlerErrorCode = {
  /**
   * The handler threw or its promise rejected; what it threw is the `cause`, as is, even when it is no
   * Error (a string, `undefined`, `Object.create(null)`).
   */
  Failed: 'ERR_HONO_HANDLER_FAILED',
  /** The handler did not settle within `handlerTimeoutMs`. */
  TimedOut: 'ERR_HONO_HANDLER_TIMEOUT',
} as const;

/**
 * The code of a {@link HandlerError}: one of the values of {@link HandlerErrorCode}.
 *
 * @category Errors
 */
export type HandlerErrorCode = (typeof HandlerErrorCode)[keyof typeof HandlerErrorCode];

/**
 * Why a command could not be sent or answered. Each value is the stable `code` of a {@link CommandError}.
 *
 * @category Errors
 */
export const CommandErrorCode = {
  /**
   * No response within the request's timeout, which covers sending and waiting together (as Hono's
   * sender), or, for a one-way command, no acknowledgement within it. See {@link CommandError.acknowledged}:
   * a command the broker acknowledged may still reach the device. Retriable.
   */
  CommandTimedOut: 'ERR_HONO_COMMAND_TIMEOUT',
  /** The broker refused the command or the producer could not connect; the `cause` says why. */
  CommandSendFailed: 'ERR_HONO_COMMAND_SEND_FAILED',
  /**
   * The reader of `hono.command_response.<tenant>` could not connect or be positioned, so the command
   * was not written (a response could have been missed). Retriable.
   */
  ResponseReaderFailed: 'ERR_HONO_RESPONSE_READER_FAILED',
  /** `maxPendingRequests` requests wait for their responses already; nothing was written. Retriable. */
  TooManyPending: 'ERR_HONO_TOO_MANY_PENDING',
  /** The client was closed, before the call or while it waited. */
  ClientClosed: 'ERR_HONO_CLIENT_CLOSED',
} as const;

/**
 * The code of a {@link CommandError}: one of the values of {@link CommandErrorCode}.
 *
 * @category Errors
 */
export type CommandErrorCode = (typeof CommandErrorCode)[keyof typeof CommandErrorCode];

/**
 * Every stable error code of the SDK, by name. The `code` of a {@link HonoKafkaError} is always one of
 * these values, so `switch (error.code)` over {@link ErrorCode} is exhaustive.
 *
 * @category Errors
 */
export const ErrorCode = {
  ...DecodeErrorCode,
  /** A tenant id cannot be the suffix of a Kafka topic name (see {@link TenantError}). */
  InvalidTenant: 'ERR_HONO_INVALID_TENANT',
  /** An encoder was given a value that Hono would never write (see {@link EncodeError}). */
  InvalidEncoderInput: 'ERR_HONO_INVALID_ENCODER_INPUT',
  /**
   * A command that Hono would drop or reject, refused before anything is written: an empty device id or
   * command name, a bad `ttl` (see {@link InvalidCommandError}).
   */
  InvalidCommand: 'ERR_HONO_INVALID_COMMAND',
  /** Options that do not validate (see {@link OptionsError}). */
  InvalidOptions: 'ERR_HONO_INVALID_OPTIONS',
  /** A method called at the wrong time, e.g. `run()` twice (see {@link StateError}). */
  InvalidState: 'ERR_HONO_INVALID_STATE',
  /** A commit the broker did not confirm (see {@link CommitError}). */
  CommitFailed: 'ERR_HONO_COMMIT_FAILED',
  ...HandlerErrorCode,
  ...KafkaClientErrorCode,
  ...CommandErrorCode,
  /** No command window of the device opened within the wait (see {@link DeviceUnreachableError}). */
  DeviceUnreachable: 'ERR_HONO_DEVICE_UNREACHABLE',
} as const;

/**
 * A stable error code of the SDK: one of the values of {@link ErrorCode}.
 *
 * @category Errors
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Options shared by the constructors of all SDK errors.
 *
 * @category Errors
 */
export interface HonoKafkaErrorOptions {
  /**
   * The error that caused this one, kept as the standard `cause`.
   *
   * @defaultValue `undefined`
   */
  readonly cause?: unknown;
  /**
   * Whether the operation may succeed when tried again unchanged.
   *
   * @defaultValue `false`
   */
  readonly retriable?: boolean | undefined;
}

/**
 * The base class of every error thrown or emitted by the SDK.
 *
 * Match on {@link HonoKafkaError.code | code}, never on the message: codes are stable, messages are for
 * people. Use {@link isHonoKafkaError} rather than `instanceof` when two copies of the package may be
 * installed side by side.
 *
 * @typeParam Code - The codes that this class of error can carry.
 * @example
 * ```ts
 * consumer.on('error', (error) => {
 *   if (error.code === ErrorCode.Authentication) console.error('Kafka refused the login');
 *   else if (error.retriable) console.warn(error.code, error.message);
 *   else console.error(error.code, error.message, error.cause);
 * });
 * ```
 * @category Errors
 */
export class HonoKafkaError<Code extends ErrorCode = ErrorCode> extends Error {
  /** The stable, machine-readable reason for the error, one of {@link ErrorCode}. */
  readonly code: Code;
  /** Whether the same operation may succeed when tried again unchanged. */
  readonly retriable: boolean;

  /**
   * Creates an SDK error.
   *
   * @param code - The stable error code.
   * @param message - A human-readable description.
   * @param options - The `cause` and the `retriable` flag.
   */
  constructor(code: Code, message: string, options: HonoKafkaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HonoKafkaError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    Object.defineProperty(this, kHonoKafkaError, { value: true });
  }
}

/**
 * Tells whether a value is an error thrown by this SDK, even by another installed copy of it.
 *
 * @param value - Anything, typically what a `catch` clause caught.
 * @returns `true` if `value` is a {@link HonoKafkaError}.
 * @example
 * ```ts
 * try {
 *   decodeEvent(record);
 * } catch (error) {
 *   if (isHonoKafkaError(error) && error.code === ErrorCode.BadHeader) console.warn(error.message);
 * }
 * ```
 * @category Errors
 */
export function isHonoKafkaError(value: unknown): value is HonoKafkaError {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [kHonoKafkaError]?: unknown })[kHonoKafkaError] === true
    );
  } catch {
    // A Proxy whose traps throw is no SDK error.
    return false;
  }
}

/**
 * Options of a {@link DecodeError}.
 *
 * @category Errors
 */
export interface DecodeErrorOptions extends HonoKafkaErrorOptions {
  /**
   * The header whose value is missing or bad.
   *
   * @defaultValue `undefined`
   */
  readonly header?: string | undefined;
  /**
   * The field of the connection event payload that is missing or bad (`''` for the payload as a whole).
   *
   * @defaultValue `undefined`
   */
  readonly field?: string | undefined;
  /**
   * The `correlation-id` of a command response that could not be decoded otherwise, so that the command
   * client can fail the request it answers at once rather than let it time out.
   *
   * @defaultValue `undefined`
   */
  readonly correlationId?: string | undefined;
}

/**
 * A Kafka record that is not a valid Hono event or telemetry message, or not a valid command response.
 * Never retriable: the same bytes fail the same way. Thrown by {@link decodeEvent}; the consumer emits it
 * as `decodeError` and passes it to the `invalid` handler. Thrown by {@link decodeCommandResponse} too.
 *
 * @category Errors
 */
export class DecodeError extends HonoKafkaError<DecodeErrorCode> {
  /** The record as the Kafka client delivered it, untouched. */
  readonly record: KafkaRecord;
  /**
   * The header at fault, for {@link DecodeErrorCode.MissingHeader}, {@link DecodeErrorCode.BadHeader} and
   * the command response codes (`correlation-id`, `status`).
   */
  readonly header: string | undefined;
  /** The payload field at fault, for {@link DecodeErrorCode.BadConnectionPayload}. */
  readonly field: string | undefined;
  /**
   * The `correlation-id` header of a command response that failed to decode for another reason (e.g. a
   * bad `status`); `undefined` for events and for responses without one.
   */
  readonly correlationId: string | undefined;

  /**
   * Creates a decode error.
   *
   * @param code - Why the record could not be decoded.
   * @param message - A human-readable description.
   * @param record - The raw record.
   * @param options - `header`, `field`, `correlationId` and `cause`.
   */
  constructor(code: DecodeErrorCode, message: string, record: KafkaRecord, options: DecodeErrorOptions = {}) {
    super(code, message, { cause: options.cause, retriable: false });
    this.name = 'DecodeError';
    this.record = record;
    this.header = options.header;
    this.field = options.field;
    this.correlationId = options.correlationId;
  }
}

/**
 * Tells whether a value is a {@link DecodeError}, even one from another installed copy of the SDK.
 *
 * @param value - Anything, typically what a `catch` clause caught.
 * @returns `true` if `value` is a {@link DecodeError}.
 * @example
 * ```ts
 * try {
 *   await handle(decodeEvent(record));
 * } catch (error) {
 *   if (!isDecodeError(error)) throw error;
 *   console.warn(error.code, error.header ?? error.field, error.record.offset);
 * }
 * ```
 * @category Errors
 */
export function isDecodeError(value: unknown): value is DecodeError {
  return isHonoKafkaError(value) && value.name === 'DecodeError';
}

/**
 * A tenant id that cannot be the suffix of a Kafka topic name: empty, too long, or with a character
 * outside `[a-zA-Z0-9._-]`. Thrown before anything reaches the Kafka client, by
 * {@link assertValidTenantId}, the topic functions ({@link eventTopic}, {@link telemetryTopic},
 * {@link honoTopic}) and the encoders. (The consumer's options report bad tenants in an
 * {@link OptionsError}.)
 *
 * @category Errors
 */
export class TenantError extends HonoKafkaError<typeof ErrorCode.InvalidTenant> {
  /** The rejected tenant id, as given. */
  readonly tenantId: unknown;

  /**
   * Creates a tenant error.
   *
   * @param tenantId - The rejected tenant id.
   * @param message - Why it was rejected.
   */
  constructor(tenantId: unknown, message: string) {
    super(ErrorCode.InvalidTenant, message);
    this.name = 'TenantError';
    this.tenantId = tenantId;
  }
}

/**
 * An encoder was asked to write something that Hono never writes, such as a fractional `ttd`; the
 * record would not decode. Thrown by {@link encodeEvent} and the other encoders.
 *
 * @category Errors
 */
export class EncodeError extends HonoKafkaError<typeof ErrorCode.InvalidEncoderInput> {
  /** The input field at fault, e.g. `ttd`. */
  readonly field: string;

  /**
   * Creates an encode error.
   *
   * @param field - The input field at fault.
   * @param message - Why it was rejected.
   */
  constructor(field: string, message: string) {
    super(ErrorCode.InvalidEncoderInput, message);
    this.name = 'EncodeError';
    this.field = field;
  }
}

/**
 * A command that the SDK refuses to write because Hono's Command Router would drop it without an answer
 * or reject it as malformed: an empty or ill-formed device id, command name or correlation id, a `ttl`
 * that is no integer of at least 0, a payload or metadata value of the wrong type. Thrown by
 * {@link encodeOneWayCommand} and {@link encodeRequestCommand} (and so by the command client) before
 * anything reaches Kafka. Never retriable: the same input fails the same way.
 *
 * @example
 * ```ts
 * try {
 *   encodeOneWayCommand({ tenantId: 'acme', deviceId: '', name: 'reboot' });
 * } catch (error) {
 *   if (error instanceof InvalidCommandError) console.warn(error.field, error.message); // 'deviceId'
 * }
 * ```
 * @category Errors
 */
export class InvalidCommandError extends HonoKafkaError<typeof ErrorCode.InvalidCommand> {
  /** The input field at fault, e.g. `deviceId`, `name` or `failureMetadata.<key>`. */
  readonly field: string;

  /**
   * Creates the error.
   *
   * @param field - The input field at fault.
   * @param message - Why it was rejected.
   */
  constructor(field: string, message: string) {
    super(ErrorCode.InvalidCommand, message);
    this.name = 'InvalidCommandError';
    this.field = field;
  }
}

/**
 * A problem in one option, as listed by an {@link OptionsError}.
 *
 * @category Errors
 */
export interface OptionProblem {
  /** The option's path, e.g. `retry.maxAttempts`. */
  readonly path: string;
  /** What is wrong with it. */
  readonly message: string;
}

/**
 * Options that do not validate, thrown by the {@link HonoEventConsumer} constructor, and by
 * {@link HonoEventConsumer.run} for handlers that do not validate (paths `handlers.<name>`). The message
 * lists `path: problem` for every problem.
 *
 * @category Errors
 */
export class OptionsError extends HonoKafkaError<typeof ErrorCode.InvalidOptions> {
  /** Every problem found. */
  readonly problems: readonly OptionProblem[];

  /**
   * Creates the error.
   *
   * @param problems - every bad option with its problem
   */
  constructor(problems: readonly OptionProblem[]) {
    super(
      ErrorCode.InvalidOptions,
      `Invalid options:\n${problems.map((problem) => `  ${problem.path || '(options)'}: ${problem.message}`).join('\n')}`,
    );
    this.name = 'OptionsError';
    this.problems = problems;
  }
}

/**
 * A message for anything a `catch` clause caught, which never throws: the `message` of an Error (or of
 * any object with a string `message`), a string itself, `non-Error value: <value>` for other primitives,
 * and `non-Error value (object)` for objects without one (`Object.create(null)`, an object whose
 * `toString` throws, a Proxy that throws on every access). Like ky's `NonError`: a safe message first,
 * then `message` read inside a `try`.
 *
 * @param value - what was thrown or rejected with
 * @returns a message for it
 */
export function thrownMessage(value: unknown): string {
  let message = `non-Error value (${typeof value})`;
  try {
    if (typeof value === 'string') return value;
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
      const text: unknown = (value as { message?: unknown }).message;
      if (typeof text === 'string') message = text;
    } else message = `non-Error value: ${String(value)}`;
  } catch {
    // A getter or Proxy trap threw: keep the safe message.
  }
  return message;
}

/**
 * A handler that failed on a record. Retriable: the SDK retries it according to the retry policy. The
 * consumer emits it as `handlerError`, in `retrying`, `skipped` and `deadLettered`, and as `error` when
 * it pauses a partition.
 *
 * @category Errors
 */
export class HandlerError extends HonoKafkaError<HandlerErrorCode> {
  /** The record's topic. */
  readonly topic: string;
  /** The record's partition. */
  readonly partition: number;
  /** The record's offset. */
  readonly offset: number;
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;

  /**
   * Creates the error.
   *
   * @param code - failed or timed out
   * @param message - what happened
   * @param record - where the record sits
   * @param attempt - the attempt that failed
   * @param options - the handler's own error as `cause`
   */
  constructor(
    code: HandlerErrorCode,
    message: string,
    record: TopicPartitionOffset,
    attempt: number,
    options: HonoKafkaErrorOptions = {},
  ) {
    super(code, message, { retriable: true, ...options });
    this.name = 'HandlerError';
    this.topic = record.topic;
    this.partition = record.partition;
    this.offset = record.offset;
    this.attempt = attempt;
  }

  /**
   * The handler threw or rejected. Never throws itself, whatever `cause` is.
   *
   * @param record - where the record sits
   * @param attempt - the attempt that failed
   * @param cause - what the handler threw, kept as is
   * @returns the error
   */
  static failed(record: TopicPartitionOffset, attempt: number, cause: unknown): HandlerError {
    const reason = thrownMessage(cause);
    return new HandlerError(
      HandlerErrorCode.Failed,
      `handler failed on ${record.topic}/${record.partition}@${record.offset} (attempt ${attempt}): ${reason}`,
      record,
      attempt,
      { cause },
    );
  }

  /**
   * The handler did not settle in time.
   *
   * @param record - where the record sits
   * @param attempt - the attempt that timed out
   * @param timeoutMs - the handler timeout
   * @returns the error
   */
  static timedOut(record: TopicPartitionOffset, attempt: number, timeoutMs: number): HandlerError {
    return new HandlerError(
      HandlerErrorCode.TimedOut,
      `handler did not settle within ${timeoutMs} ms on ${record.topic}/${record.partition}@${record.offset} (attempt ${attempt})`,
      record,
      attempt,
    );
  }
}

/**
 * A commit the broker did not confirm, emitted as `commitFailed`. Retriable: the positions of partitions
 * still owned are committed again at the next opportunity.
 *
 * @category Errors
 */
export class CommitError extends HonoKafkaError<typeof ErrorCode.CommitFailed> {
  /** The positions of the failed commit. */
  readonly offsets: readonly TopicPartitionOffset[];

  /**
   * Creates the error.
   *
   * @param message - what happened
   * @param offsets - the positions of the failed commit
   * @param options - the client's failure as `cause`
   */
  constructor(
    message: string,
    offsets: readonly TopicPartitionOffset[],
    options: HonoKafkaErrorOptions = {},
  ) {
    super(ErrorCode.CommitFailed, message, { retriable: true, ...options });
    this.name = 'CommitError';
    this.offsets = offsets;
  }
}

/**
 * A failure of the Kafka client: brokers unreachable, TLS failed, login refused, a listener that speaks
 * another protocol, or a fatal client error. Thrown by {@link HonoEventConsumer.run} when it cannot
 * connect, and emitted as `error` afterwards. Connection failures name the bootstrap servers, the most
 * likely cause and what to do about it.
 *
 * @category Errors
 */
export class KafkaClientError extends HonoKafkaError<KafkaClientErrorCode> {
  /**
   * Creates the error. Messages never contain secret settings.
   *
   * @param code - the kind of failure
   * @param message - what happened
   * @param options - the client's failure as `cause`, and whether retrying may help
   */
  constructor(code: KafkaClientErrorCode, message: string, options: HonoKafkaErrorOptions = {}) {
    super(code, message, options);
    this.name = 'KafkaClientError';
  }
}

/**
 * A method called at the wrong time, e.g. `run()` twice or after `stop()`.
 *
 * @category Errors
 */
export class StateError extends HonoKafkaError<typeof ErrorCode.InvalidState> {
  /**
   * Creates the error.
   *
   * @param message - what was called when
   */
  constructor(message: string) {
    super(ErrorCode.InvalidState, message);
    this.name = 'StateError';
  }
}

/**
 * Where a {@link CommandError} happened: the command it is about.
 *
 * @category Errors
 */
export interface CommandErrorDetails {
  /** The tenant the command was for. */
  readonly tenantId: string;
  /** The device the command was for. */
  readonly deviceId: string;
  /** The command name. */
  readonly name: string;
  /** The command's `correlation-id`; undefined for a one-way command. */
  readonly correlationId: string | undefined;
  /**
   * Whether the broker had acknowledged the command when the call failed: if so, the device may still
   * get it (and answer it), so a retry may execute the command twice.
   */
  readonly acknowledged: boolean;
}

/**
 * A command that could not be sent, or whose response did not come: rejected by the
 * {@link HonoCommandClient}'s `sendOneWay`, `send` and `request`. A response that did come, even with an
 * error status or as Hono's delivery failure, is no error: it resolves the request.
 *
 * @category Errors
 */
export class CommandError extends HonoKafkaError<CommandErrorCode> {
  /** The tenant the command was for. */
  readonly tenantId: string;
  /** The device the command was for. */
  readonly deviceId: string;
  /** The command name. */
  readonly commandName: string;
  /** The command's `correlation-id`; undefined for a one-way command. */
  readonly correlationId: string | undefined;
  /** Whether the broker had acknowledged the command when the call failed (see {@link CommandErrorDetails.acknowledged}). */
  readonly acknowledged: boolean;

  /**
   * Creates the error.
   *
   * @param code - the kind of failure
   * @param message - what happened
   * @param details - the command it is about
   * @param options - the client's failure as `cause`, and whether retrying may help
   */
  constructor(
    code: CommandErrorCode,
    message: string,
    details: CommandErrorDetails,
    options: HonoKafkaErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'CommandError';
    this.tenantId = details.tenantId;
    this.deviceId = details.deviceId;
    this.commandName = details.name;
    this.correlationId = details.correlationId;
    this.acknowledged = details.acknowledged;
  }
}

/**
 * Tells whether a value is a {@link CommandError}, even one from another installed copy of the SDK.
 *
 * @param value - Anything, typically what a `catch` clause caught.
 * @returns `true` if `value` is a {@link CommandError}.
 * @example
 * ```ts
 * try {
 *   const response = await client.request({ tenant: 'DEFAULT_TENANT', deviceId: '4711', name: 'setVolume' });
 * } catch (error) {
 *   if (isCommandError(error) && error.code === ErrorCode.CommandTimedOut && !error.acknowledged) retryLater();
 *   else throw error;
 * }
 * ```
 * @category Errors
 */
export function isCommandError(value: unknown): value is CommandError {
  return isHonoKafkaError(value) && value.name === 'CommandError';
}

/**
 * A device announced no open command window within the wait of `DeviceWindows.whenReachable`: Hono
 * would answer a command sent now with 503 `no consumer available`, because it queues nothing for a
 * device that cannot receive commands. Retriable: the device may come back later.
 *
 * @category Errors
 */
export class DeviceUnreachableError extends HonoKafkaError<typeof ErrorCode.DeviceUnreachable> {
  /** The tenant of the device. */
  readonly tenantId: string;
  /** The device. */
  readonly deviceId: string;

  /**
   * Creates the error.
   *
   * @param tenantId - the tenant of the device
   * @param deviceId - the device
   * @param timeoutMs - how long the wait was
   */
  constructor(tenantId: string, deviceId: string, timeoutMs: number) {
    super(
      ErrorCode.DeviceUnreachable,
      `device ${deviceId} of tenant ${tenantId} announced no open command window within ${String(timeoutMs)} ms ` +
        '(Hono answers 503 to a command for a device that cannot receive one)',
      { retriable: true },
    );
    this.name = 'DeviceUnreachableError';
    this.tenantId = tenantId;
    this.deviceId = deviceId;
  }
}
