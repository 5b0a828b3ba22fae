/**
 * The command client: writes commands to `hono.command.<tenant>` as Hono's `KafkaBasedCommandSender`
 * does, and matches the responses read from `hono.command_response.<tenant>` to the requests waiting
 * for them.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { ClientFailure } from '../engine/client.js';
import { runningClientError } from '../engine/client-errors.js';
import { clientChoice } from '../engine/client-choice.js';
import { CommandErrorCode, thrownMessage } from '../errors.js';
import { secretValues } from '../consumer/options.js';
import { rdkafkaCommandClients } from '../kafka/rdkafka-response-reader.js';
import { commandDiagnostics } from '../telemetry/command-diagnostics.js';
import type { CommandObservation, CommandObserver } from '../telemetry/command-observation.js';
import { commandObserver } from '../telemetry/command-observer.js';
import {
  type CommandInit,
  type CommandResponse,
  encodeOneWayCommand,
  encodeRequestCommand,
} from '../wire/commands.js';
import { CallWriter } from './call-writer.js';
import { CommandProducer } from './command-producer.js';
import type { HonoCommandClientEvents } from './events.js';
import {
  closedError,
  commandError,
  commandInit,
  newOperation,
  type Operation,
  producerSettings,
  requestInit,
  timeoutError,
} from './operation.js';
import {
  type HonoCommandClientOptions,
  callTimeoutMs,
  resolveCommandClientOptions,
  type ResolvedCommandClientOptions,
} from './options.js';
import { PendingCalls } from './pending-calls.js';
import { ResponseMatcher } from './response-matcher.js';
import { ResponseReaders, withCheckedSettings } from './response-readers.js';
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
 *   read the responses at least once with a {@link HonoCommandResponseConsumer}.
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
  readonly #secrets: readonly string[];
  readonly #producer: CommandProducer;
  readonly #readers: ResponseReaders;
  /** Every call under way, with the one timer for their deadlines. */
  readonly #calls: PendingCalls = new PendingCalls(
    (operation) => {
      this.#calls.settle(operation, () => {
        operation.reject(timeoutError(this.#secrets, operation));
      });
    },
    (operation) => {
      this.#responses.forget(operation);
    },
  );
  /** Requests waiting for their responses, and the matching of the responses read. */
  readonly #responses: ResponseMatcher;
  readonly #writer: CallWriter;
  /** What watches the calls: the diagnostics channels, and OpenTelemetry once `@opentelemetry/api` loaded. */
  #observer: CommandObserver = commandDiagnostics;
  /** Loading `@opentelemetry/api`: the calls made meanwhile wait for it (once), so that they are traced. */
  #observerLoading: Promise<void> | undefined;
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
    this.#secrets = secretValues(resolved.kafka);
    if (resolved.telemetry !== false) {
      this.#observerLoading = commandObserver({
        telemetry: resolved.telemetry,
        clientId: resolved.clientId,
      }).then((observer) => {
        this.#observer = observer;
        this.#observerLoading = undefined;
      });
    }
    this.#responses = new ResponseMatcher({
      calls: this.#calls,
      logger: resolved.logger,
      invalidResponse: (error) => {
        this.#emitSafely('invalidResponse', error);
      },
    });
    const clients = chosenClients.current();
    this.#producer = withCheckedSettings(clients, resolved, this.#secrets, () => {
      return new CommandProducer(
        (listeners) => clients.producer(producerSettings(resolved), listeners),
        resolved.connectTimeoutMs,
        (failure) => {
          this.#reportFailure(failure, 'Command producer');
        },
      );
    });
    const writer = new CallWriter(this.#producer, this.#calls, this.#secrets, resolved.brokers);
    this.#writer = writer;
    this.#readers = new ResponseReaders({
      clients,
      options: resolved,
      onRecord: (record) => {
        this.#responses.onRecord(record);
      },
      onFailure: (failure, tenantId) => {
        this.#reportFailure(failure, `Response reader of tenant ${tenantId}`);
      },
      // Its pending requests cannot get their responses any more: they fail now, not at their timeout.
      onReaderFailed: (failure, tenantId) => {
        for (const operation of this.#responses.pendingOf(tenantId)) writer.readerFailed(operation, failure);
      },
    });
  }

  /** The number of requests waiting for their responses. */
  get pendingRequests(): number {
    return this.#responses.size;
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
    if (this.#observerLoading !== undefined)
      return this.#observerLoading.then(() => this.sendOneWay(command));
    // The hot path of a busy application: no async function, no timer of its own, one closure per call.
    return new Promise<void>((resolve, reject) => {
      // Encoded once, at the call, as Hono's sender stamps `creation-time` when it makes the record (its
      // producer buffers while it connects); encoding is also the validation.
      const init = commandInit(command);
      let record = encodeOneWayCommand(init);
      const timeoutMs = callTimeoutMs(command.timeoutMs, this.#options.requestTimeoutMs);
      const observation = this.#observe('oneWay', command, undefined);
      if (observation?.traceparent !== undefined) record = encodeOneWayCommand(traced(init, observation));
      const operation = this.#start(
        newOperation(
          'oneWay',
          command,
          undefined,
          timeoutMs,
          resolve as Operation['resolve'],
          reject,
          observation,
        ),
      );
      if (!operation.settled) this.#writer.write(operation, record);
    });
  }

  /**
   * Writes a request/response command without waiting for its response, and resolves with its
   * correlation id once the broker acknowledged it: for workflows that must survive a restart, which
   * read the responses at least once with a {@link HonoCommandResponseConsumer} in a consumer group of
   * their own and match the `correlation-id` themselves (as with Hono's `sendAsyncCommand`).
   *
   * @param command - tenant, device, command name, payload, failure metadata, correlation id
   * @returns the `correlation-id` written
   * @throws as {@link HonoCommandClient.sendOneWay}
   */
  send(command: DurableRequestCommand): Promise<string> {
    if (this.#observerLoading !== undefined) return this.#observerLoading.then(() => this.send(command));
    return new Promise<string>((resolve, reject) => {
      const correlationId = command.correlationId ?? randomUUID();
      const init = requestInit(command, correlationId);
      encodeRequestCommand(init);
      const timeoutMs = callTimeoutMs(command.timeoutMs, this.#options.requestTimeoutMs);
      const observation = this.#observe('send', command, correlationId);
      const written = traced(init, observation);
      const operation = this.#start(
        newOperation(
          'send',
          command,
          correlationId,
          timeoutMs,
          () => {
            resolve(correlationId);
          },
          reject,
          observation,
        ),
      );
      if (!operation.settled) {
        this.#writer.write(operation, () => encodeRequestCommand({ ...written, creationTime: Date.now() }));
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
   * A response whose `creation-time` plus `ttl` has passed is skipped, as Hono's sender skips it: the
   * request waits on, and its timeout error says that an expired response came.
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
    if (this.#observerLoading !== undefined) return this.#observerLoading.then(() => this.request(command));
    return new Promise<CommandResponse>((resolve, reject) => {
      const correlationId = randomUUID();
      const init = requestInit(command, correlationId);
      encodeRequestCommand(init);
      const timeoutMs = callTimeoutMs(command.timeoutMs, this.#options.requestTimeoutMs);
      if (this.#closing === undefined && this.#responses.size >= this.#options.maxPendingRequests) {
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
      const observation = this.#observe('request', command, correlationId);
      const written = traced(init, observation);
      const operation = this.#start(
        newOperation(
          'request',
          command,
          correlationId,
          timeoutMs,
          (response) => {
            resolve(response as CommandResponse);
          },
          reject,
          observation,
        ),
      );
      if (operation.settled) return;
      this.#responses.add(operation);
      this.#writer.writeWhenReady(operation, this.#readers.of(operation.tenantId), () =>
        encodeRequestCommand({ ...written, creationTime: Date.now() }),
      );
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
    const [producerClosed, readersClosed] = await Promise.all([
      this.#producer.close(timeoutMs),
      this.#readers.close(timeoutMs),
    ]);
    for (const operation of this.#calls.all()) this.#rejectClosed(operation);
    this.#calls.stop();
    if (!producerClosed || !readersClosed) {
      this.#options.logger.warn('the command client did not close within closeTimeoutMs', {
        closeTimeoutMs: timeoutMs,
      });
    }
  }

  #rejectClosed(operation: Operation): void {
    this.#calls.settle(operation, () => {
      operation.reject(closedError(this.#secrets, operation));
    });
  }

  /** What watches a call that is about to start; undefined when nothing does, or the client is closed. */
  #observe(
    kind: Operation['kind'],
    command: OneWayCommand,
    correlationId: string | undefined,
  ): CommandObservation | undefined {
    if (this.#closing !== undefined) return undefined;
    return this.#observer.started(kind, command.tenant, command.deviceId, command.name, correlationId);
  }

  /** Registers a call with its deadline; a closed client rejects it at once. */
  #start(operation: Operation): Operation {
    if (this.#closing === undefined) this.#calls.add(operation);
    else {
      operation.settled = true;
      operation.reject(closedError(this.#secrets, operation));
    }
    return operation;
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
}

/** A command's fields with the trace context of its send span, when it has one. */
function traced<Init extends CommandInit>(init: Init, observation: CommandObservation | undefined): Init {
  if (observation?.traceparent === undefined) return init;
  return { ...init, traceparent: observation.traceparent, tracestate: observation.tracestate };
}
