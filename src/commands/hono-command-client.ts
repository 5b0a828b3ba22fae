/**
 * The command client: writes commands to `hono.command.<tenant>` as Hono's `KafkaBasedCommandSender`
 * does, and matches the responses read from `hono.command_response.<tenant>` to the requests waiting
 * for them.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { type ClientFailure, type ProducerClient, toFailure } from '../engine/client.js';
import { clientError, runningClientError } from '../engine/client-errors.js';
import { clientChoice } from '../engine/client-choice.js';
import {
  CommandErrorCode,
  type DecodeError,
  isDecodeError,
  type KafkaClientError,
  OptionsError,
  thrownMessage,
} from '../errors.js';
import { secretValues } from '../consumer/options.js';
import { rdkafkaCommandClients } from '../kafka/rdkafka-response-reader.js';
import { commandResponseTopic } from '../tenant.js';
import type { KafkaRecord } from '../types.js';
import {
  type CommandResponse,
  decodeCommandResponse,
  encodeOneWayCommand,
  encodeRequestCommand,
} from '../wire/commands.js';
import type { EncodedRecord } from '../wire/types.js';
import { CommandProducer } from './command-producer.js';
import type { HonoCommandClientEvents } from './events.js';
import {
  commandError,
  commandInit,
  noWait,
  type Operation,
  producerSettings,
  readerSettings,
  requestInit,
  timeoutError,
} from './operation.js';
import {
  type HonoCommandClientOptions,
  kafkaSettingProblems,
  maxTimerMs,
  resolveCommandClientOptions,
  type ResolvedCommandClientOptions,
  timeoutSchema,
} from './options.js';
import { PendingCalls } from './pending-calls.js';
import { ResponseReader } from './response-reader.js';
import type { CommandClientFactories } from './response-reader-client.js';
import type { DurableRequestCommand, OneWayCommand, RequestCommand } from './types.js';

const chosenClients = clientChoice<CommandClientFactories>(rdkafkaCommandClients);

/**
 * Makes command clients whose clients come from `clients` instead of librdkafka: the unit tests' fakes. Not part
 * of the package's API.
 *
 * @internal
 */
export const withCommandClients: <T>(clients: CommandClientFactories, make: () => T) => T = (fakes, make) =>
  chosenClients.with(fakes, make);

/**
 * Sends commands to devices through Hono's Kafka-based Command & Control API and gets their responses.
 *
 * - {@link HonoCommandClient.sendOneWay} writes a one-way command and resolves once the broker
 *   acknowledged it.
 * - {@link HonoCommandClient.request} writes a request/response command and resolves with the response:
 *   the device's (any status) or the delivery failure Hono wrote (e.g. 503 `no consumer available` when
 *   the device is not connected or has not subscribed for commands).
 * - {@link HonoCommandClient.send} writes a request/response command without waiting for the response:
 *   read the responses with a consumer group of your own.
 *
 * Like Hono's Java sender, the client reads the responses of each tenant it sent a request to with a
 * consumer of its own (group `<tenant>-<uuid>`, never committed) that starts at the end of the log; the
 * first request of a tenant waits until that reader is positioned, so that no response is missed. Every
 * instance of an application reads every response of the tenant and ignores those of the others.
 * Delivery is at most once: a response written while the client was not running is not read.
 *
 * @example
 * ```ts
 * const client = new HonoCommandClient({ brokers: '127.0.0.1:9092' });
 * const response = await client.request({
 *   tenant: 'DEFAULT_TENANT',
 *   deviceId: '4711',
 *   name: 'setVolume',
 *   payload: JSON.stringify({ level: 7 }),
 *   contentType: 'application/json',
 * });
 * if (response.kind === 'deliveryFailure') console.warn(response.status, response.error);
 * else console.log(response.status, response.payload?.toString());
 * await client.close();
 * ```
 * @category Commands
 */
export class HonoCommandClient extends EventEmitter<HonoCommandClientEvents> {
  readonly #options: ResolvedCommandClientOptions;
  readonly #clients: CommandClientFactories;
  readonly #secrets: readonly string[];
  readonly #producer: CommandProducer;
  readonly #readers = new Map<string, ResponseReader>();
  /** Requests waiting for their responses, by correlation id. */
  readonly #requests = new Map<string, Operation>();
  /** Every call under way, with the one timer for their deadlines. */
  readonly #calls = new PendingCalls(
    (operation) => {
      this.#calls.settle(operation, () => {
        operation.reject(timeoutError(this.#secrets, operation));
      });
    },
    (operation) => {
      if (
        operation.correlationId !== undefined &&
        this.#requests.get(operation.correlationId) === operation
      ) {
        this.#requests.delete(operation.correlationId);
      }
    },
  );
  #closing: Promise<void> | undefined;

  /**
   * Validates the options and applies the defaults; connects nothing yet.
   *
   * @param options - brokers, timeouts and librdkafka settings
   * @throws {@link OptionsError} listing every bad option, including librdkafka settings that the SDK
   *   sets itself, and names and values librdkafka refuses (`kafka.<name>`)
   */
  constructor(options: HonoCommandClientOptions) {
    super();
    const resolved = resolveCommandClientOptions(options);
    this.#options = resolved;
    this.#clients = chosenClients.current();
    this.#secrets = secretValues(resolved.kafka);
    const clients = this.#clients;
    try {
      // Made for its settings check only: a client object holds no thread or socket until it connects.
      clients.responseReader(readerSettings(this.#options, 'settings-check'), {
        rebalance: () => undefined,
        clientError: () => undefined,
      });
      this.#producer = new CommandProducer(
        (listeners) => clients.producer(producerSettings(this.#options), listeners),
        resolved.connectTimeoutMs,
        (failure) => {
          this.#reportFailure(failure, 'Command producer');
        },
      );
    } catch (error) {
      throw new OptionsError(
        kafkaSettingProblems(resolved.kafka, error, (settings) => {
          clients.responseReader(
            { 'bootstrap.servers': 'localhost:9092', 'group.id': 'settings-check', ...settings },
            { rebalance: () => undefined, clientError: () => undefined },
          );
        }),
      );
    }
  }

  /** The number of requests waiting for their responses. */
  get pendingRequests(): number {
    return this.#requests.size;
  }

  /**
   * Writes a one-way command (`response-required: false`), byte for byte as Hono's
   * `KafkaBasedCommandSender` does, and resolves once the broker acknowledged it. No response ever
   * comes for a one-way command.
   *
   * @param command - tenant, device, command name, payload
   * @returns once the broker acknowledged the record
   * @throws {@link InvalidCommandError} or {@link TenantError} for a command Hono would drop or reject,
   *   before anything is written; {@link OptionsError} for a bad `timeoutMs`; {@link CommandError} with
   *   `ERR_HONO_COMMAND_TIMEOUT`, `ERR_HONO_COMMAND_SEND_FAILED` or `ERR_HONO_CLIENT_CLOSED`
   */
  sendOneWay(command: OneWayCommand): Promise<void> {
    // The hot path of a busy application: no async function, no timer of its own, one closure per call.
    return new Promise<void>((resolve, reject) => {
      // Encoded once, at the call, as Hono's sender stamps `creation-time` when it makes the record (its
      // producer buffers while it connects); encoding is also the validation.
      const record = encodeOneWayCommand(commandInit(command));
      const operation = this.#start(
        'oneWay',
        command,
        undefined,
        this.#timeoutOf(command),
        resolve as Operation['resolve'],
        reject,
      );
      if (!operation.settled) this.#write(operation, record);
    });
  }

  /**
   * Writes a request/response command without waiting for its response, and resolves with its
   * correlation id once the broker acknowledged it: for workflows that must survive a restart, which
   * read `hono.command_response.<tenant>` with a consumer group of their own and match the
   * `correlation-id` themselves (as Hono's `sendAsyncCommand`).
   *
   * @param command - tenant, device, command name, payload, failure metadata, correlation id
   * @returns the `correlation-id` written
   * @throws as {@link HonoCommandClient.sendOneWay}
   */
  send(command: DurableRequestCommand): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const correlationId = command.correlationId ?? randomUUID();
      const init = requestInit(command, correlationId);
      encodeRequestCommand(init);
      const operation = this.#start(
        'send',
        command,
        correlationId,
        this.#timeoutOf(command),
        () => {
          resolve(correlationId);
        },
        reject,
      );
      if (!operation.settled) {
        this.#write(operation, () => encodeRequestCommand({ ...init, creationTime: Date.now() }));
      }
    });
  }

  /**
   * Writes a request/response command (a new UUID as `correlation-id`, `response-required: true`, the
   * failure metadata as `delivery-failure-notification-metadata.<key>`) and resolves with its response.
   * The first request of a tenant first waits until the tenant's response reader is positioned.
   *
   * A response resolves the request whatever its status: check `kind` and `status`. A device answers
   * with 2xx for success, 4xx or 5xx for its errors; Hono answers with a delivery failure (`kind:
   * 'deliveryFailure'`) when it could not deliver the command, e.g. 503 `no consumer available` when the
   * device is not connected or has not subscribed for commands, or 404 for an unknown device.
   *
   * @param command - tenant, device, command name, payload, failure metadata, timeout
   * @returns the response
   * @throws {@link InvalidCommandError} or {@link TenantError} for a command Hono would drop or reject,
   *   before anything is written; {@link OptionsError} for a bad `timeoutMs`; {@link CommandError} with
   *   `ERR_HONO_COMMAND_TIMEOUT` (no response within `timeoutMs`, sending included),
   *   `ERR_HONO_COMMAND_SEND_FAILED`, `ERR_HONO_RESPONSE_READER_FAILED`, `ERR_HONO_TOO_MANY_PENDING` or
   *   `ERR_HONO_CLIENT_CLOSED`; {@link DecodeError} when the response to this request is malformed
   */
  request(command: RequestCommand): Promise<CommandResponse> {
    return new Promise<CommandResponse>((resolve, reject) => {
      const correlationId = randomUUID();
      const init = requestInit(command, correlationId);
      encodeRequestCommand(init);
      const timeoutMs = this.#timeoutOf(command);
      if (this.#closing === undefined && this.#requests.size >= this.#options.maxPendingRequests) {
        throw commandError(
          this.#secrets,
          CommandErrorCode.TooManyPending,
          `${String(this.#options.maxPendingRequests)} requests wait for their responses already (maxPendingRequests); nothing was written`,
          init,
          correlationId,
          false,
          true,
        );
      }
      const operation = this.#start(
        'request',
        command,
        correlationId,
        timeoutMs,
        (response) => {
          resolve(response as CommandResponse);
        },
        reject,
      );
      if (operation.settled) return;
      this.#requests.set(correlationId, operation);
      this.#waitForReader(operation, () => encodeRequestCommand({ ...init, creationTime: Date.now() }));
    });
  }

  /**
   * Rejects every pending call with `ERR_HONO_CLIENT_CLOSED` (a one-way command that was being written
   * gets until the producer is flushed to be acknowledged), closes the response readers and flushes and
   * closes the producer, all within `closeTimeoutMs`. Calls made afterwards reject. Calling it again
   * returns the same promise.
   *
   * @returns once everything is released, or the deadline passed
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const timeoutMs = this.#options.closeTimeoutMs;
    for (const operation of this.#calls.all()) {
      // A response can no longer be read; a record being written gets its chance while the producer flushes.
      if (operation.kind === 'request' || operation.stage !== 'sending') this.#rejectClosed(operation);
    }
    const readers = [...this.#readers.values()];
    this.#readers.clear();
    const [producerClosed, ...readersClosed] = await Promise.all([
      this.#producer.close(timeoutMs),
      ...readers.map((reader) => reader.close(timeoutMs)),
    ]);
    for (const operation of this.#calls.all()) this.#rejectClosed(operation);
    this.#calls.stop();
    if (!producerClosed || readersClosed.includes(false)) {
      this.#options.logger.warn('the command client did not close within closeTimeoutMs', {
        closeTimeoutMs: timeoutMs,
      });
    }
  }

  #rejectClosed(operation: Operation): void {
    const message = operation.acknowledged
      ? 'the client was closed before the response came; the command was written'
      : operation.stage === 'sending'
        ? 'the client was closed before the broker acknowledged the command; it may still be written'
        : 'the client was closed; nothing was written';
    this.#calls.settle(operation, () => {
      operation.reject(
        commandError(
          this.#secrets,
          CommandErrorCode.ClientClosed,
          message,
          operation,
          operation.correlationId,
          operation.acknowledged,
          false,
        ),
      );
    });
  }

  /** Registers a call with its deadline; a closed client rejects it at once. */
  #start(
    kind: Operation['kind'],
    command: OneWayCommand,
    correlationId: string | undefined,
    timeoutMs: number,
    resolve: Operation['resolve'],
    reject: Operation['reject'],
  ): Operation {
    const operation: Operation = {
      kind,
      tenantId: command.tenant,
      deviceId: command.deviceId,
      name: command.name,
      correlationId,
      timeoutMs,
      stage: kind === 'request' ? 'reader' : 'connecting',
      acknowledged: false,
      settled: false,
      deadline: Date.now() + timeoutMs,
      cancelWait: noWait,
      resolve,
      reject,
    };
    if (this.#closing !== undefined) {
      operation.settled = true;
      reject(
        commandError(
          this.#secrets,
          CommandErrorCode.ClientClosed,
          'the client is closed; nothing was written',
          operation,
          correlationId,
          false,
          false,
        ),
      );
      return operation;
    }
    this.#calls.add(operation);
    return operation;
  }

  /** Waits for the tenant's response reader, then writes the request. */
  #waitForReader(operation: Operation, encode: () => EncodedRecord): void {
    const reader = this.#readerFor(operation.tenantId);
    // A call that ends (times out, closed) while it waits stops waiting: the reader forgets it.
    operation.cancelWait = reader.whenReady((failure) => {
      operation.cancelWait = noWait;
      if (operation.settled) return;
      if (failure === undefined) {
        operation.stage = 'connecting';
        this.#write(operation, encode);
        return;
      }
      const cause = clientError(
        failure,
        this.#secrets,
        [],
        `Response reader of tenant ${operation.tenantId}`,
        this.#options.brokers,
      );
      this.#calls.settle(operation, () => {
        operation.reject(
          commandError(
            this.#secrets,
            CommandErrorCode.ResponseReaderFailed,
            `${cause.message}; nothing was written`,
            operation,
            operation.correlationId,
            false,
            true,
            cause,
          ),
        );
      });
    });
  }

  /**
   * Writes a call's record once the producer is connected: at once when it is (no promise but the
   * send's), else after the connect. `encode` makes the record at the moment it is written.
   */
  #write(operation: Operation, record: EncodedRecord | (() => EncodedRecord)): void {
    const producer = this.#producer.ready();
    if (producer !== undefined) {
      this.#send(operation, producer, record);
      return;
    }
    this.#producer.connected().then(
      (connected) => {
        if (!operation.settled) this.#send(operation, connected, record);
      },
      (error: unknown) => {
        this.#sendFailed(operation, error);
      },
    );
  }

  #send(operation: Operation, producer: ProducerClient, record: EncodedRecord | (() => EncodedRecord)): void {
    operation.stage = 'sending';
    let sending: Promise<void>;
    try {
      sending = producer.send(typeof record === 'function' ? record() : record);
    } catch (error) {
      this.#sendFailed(operation, error);
      return;
    }
    sending.then(
      () => {
        this.#acknowledged(operation);
      },
      (error: unknown) => {
        this.#sendFailed(operation, error);
      },
    );
  }

  #acknowledged(operation: Operation): void {
    if (operation.settled) return;
    operation.acknowledged = true;
    if (operation.kind === 'request') operation.stage = 'response';
    else {
      this.#calls.settle(operation, () => {
        operation.resolve(undefined);
      });
    }
  }

  #sendFailed(operation: Operation, error: unknown): void {
    const written = operation.stage === 'sending';
    const cause: KafkaClientError = clientError(
      toFailure(error),
      this.#secrets,
      [],
      written ? 'Command producer' : 'Command producer connect',
      this.#options.brokers,
    );
    this.#calls.settle(operation, () => {
      operation.reject(
        commandError(
          this.#secrets,
          CommandErrorCode.CommandSendFailed,
          written
            ? `the command was not written: ${cause.message}`
            : `the producer could not connect; nothing was written: ${cause.message}`,
          operation,
          operation.correlationId,
          false,
          cause.retriable,
          cause,
        ),
      );
    });
  }

  /** The tenant's response reader, made and started on first use, and made again after it failed. */
  #readerFor(tenantId: string): ResponseReader {
    const existing = this.#readers.get(tenantId);
    if (existing !== undefined && existing.state !== 'failed' && existing.state !== 'closed') return existing;
    const groupId = `${tenantId}-${randomUUID()}`;
    const reader: ResponseReader = new ResponseReader({
      tenantId,
      topic: commandResponseTopic(tenantId),
      makeClient: (listeners) =>
        this.#clients.responseReader(readerSettings(this.#options, groupId), listeners),
      connectTimeoutMs: this.#options.connectTimeoutMs,
      onRecord: (record) => {
        this.#onResponse(record);
      },
      onFailure: (failure, fatal) => {
        this.#reportFailure(failure, `Response reader of tenant ${tenantId}`);
        if (fatal && this.#readers.get(tenantId) === reader) {
          this.#readers.delete(tenantId);
          void reader.close(this.#options.closeTimeoutMs);
        }
      },
      isUnknownTopic: (failure) => this.#clients.isUnknownTopic(failure),
      debug: (message, context) => {
        this.#options.logger.debug(message, context);
      },
    });
    this.#readers.set(tenantId, reader);
    return reader;
  }

  /** Matches a record read to the request waiting for it; everything else is ignored or reported. */
  #onResponse(record: KafkaRecord): void {
    let response: CommandResponse;
    try {
      response = decodeCommandResponse(record);
    } catch (error) {
      if (!isDecodeError(error)) {
        this.#options.logger.error('decoding a command response threw', { error: thrownMessage(error) });
        return;
      }
      this.#invalidResponse(error);
      return;
    }
    const operation = this.#requests.get(response.correlationId);
    if (operation === undefined || operation.tenantId !== response.tenantId) {
      // Another instance's response, a late one or a duplicate: nothing is kept of it.
      this.#options.logger.debug('command response for no pending request', {
        correlationId: response.correlationId,
        topic: record.topic,
        offset: record.offset,
      });
      return;
    }
    this.#calls.settle(operation, () => {
      operation.resolve(response);
    });
  }

  #invalidResponse(error: DecodeError): void {
    const operation = error.correlationId === undefined ? undefined : this.#requests.get(error.correlationId);
    const context = {
      code: error.code,
      topic: error.record.topic,
      partition: error.record.partition,
      offset: error.record.offset,
    };
    if (operation !== undefined || error.correlationId === undefined) {
      this.#options.logger.warn(`invalid command response: ${error.message}`, context);
    } else this.#options.logger.debug(`invalid command response: ${error.message}`, context);
    this.#emitSafely('invalidResponse', error);
    if (operation !== undefined) {
      this.#calls.settle(operation, () => {
        operation.reject(error);
      });
    }
  }

  #reportFailure(failure: ClientFailure, operation: string): void {
    const error = runningClientError(failure, this.#secrets, operation, this.#options.brokers);
    this.#options.logger.warn(error.message, { code: error.code });
    this.#emitSafely('error', error);
  }

  #emitSafely<Name extends keyof HonoCommandClientEvents>(
    name: Name,
    error: Parameters<HonoCommandClientEvents[Name]>[0],
  ): void {
    try {
      (this.emit as (event: Name, argument: unknown) => boolean)(name, error);
    } catch (thrown) {
      this.#options.logger.error(`a listener of "${name}" threw`, { error: thrownMessage(thrown) });
    }
  }

  #timeoutOf(command: OneWayCommand): number {
    const timeoutMs = command.timeoutMs;
    if (timeoutMs === undefined) return this.#options.requestTimeoutMs;
    if (Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= maxTimerMs) return timeoutMs;
    const parsed = timeoutSchema.safeParse(command.timeoutMs);
    if (!parsed.success) {
      throw new OptionsError(
        parsed.error.issues.map((issue) => ({ path: 'timeoutMs', message: issue.message })),
      );
    }
    return parsed.data;
  }
}
