/**
 * One call of the command client on its way (a one-way command, a durable send or a request), and what
 * the client derives from it: its record's fields, its errors, and the clients' settings.
 *
 * @module
 */
import { scrub } from '../engine/client-errors.js';
import type { ClientSettings } from '../engine/client.js';
import { kafkaDefaults } from '../consumer/options.js';
import { CommandError, CommandErrorCode } from '../errors.js';
import type { CommandObservation } from '../telemetry/command-observation.js';
import { commandResponseTopic } from '../tenant.js';
import type { CommandInit, CommandResponse, RequestCommandInit } from '../wire/commands.js';
import type { ResolvedCommandClientOptions } from './options.js';
import type { OneWayCommand, RequestCommand } from './types.js';

/** Where a call is: what a timeout message says was not done. */
export type Stage = 'reader' | 'connecting' | 'sending' | 'response';

/** Nothing to stop: a call that waits for no response reader. */
export const noWait = (): void => undefined;

/** One call under way. */
export interface Operation {
  readonly kind: 'oneWay' | 'send' | 'request';
  readonly tenantId: string;
  readonly deviceId: string;
  readonly name: string;
  readonly correlationId: string | undefined;
  readonly timeoutMs: number;
  stage: Stage;
  acknowledged: boolean;
  settled: boolean;
  /** When the call times out, in ms since the epoch (`Date.now()` at the start plus `timeoutMs`). */
  readonly deadline: number;
  /**
   * How late (ms past `creation-time + ttl`) the expired response to this request came, which was skipped
   * as Hono's sender skips it; the timeout message tells it.
   */
  expiredResponseLateMs: number | undefined;
  /** Stops waiting for the response reader. */
  cancelWait: () => void;
  /** What watches the call (spans, metrics, diagnostics channels); undefined when nothing does. */
  readonly observation: CommandObservation | undefined;
  readonly resolve: (value: CommandResponse | string | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** The timeout of a call, with a message that says how far it got. */
export function timeoutError(secrets: readonly string[], operation: Operation): CommandError {
  const within = `within ${String(operation.timeoutMs)} ms`;
  const message = {
    reader: `the response reader of tenant ${operation.tenantId} was not ready ${within} (no partition of ${commandResponseTopic(operation.tenantId)} assigned yet); nothing was written`,
    connecting: `the producer did not connect ${within}; nothing was written`,
    sending: `the broker did not acknowledge the command ${within}; it may still be written`,
    response:
      operation.expiredResponseLateMs === undefined
        ? `no response ${within}; the command was written`
        : `no response ${within}; the command was written, and a response came ${String(operation.expiredResponseLateMs)} ms after its creation-time + ttl had passed, so it was skipped as Hono's sender skips expired responses (are the clocks of the device's protocol adapter and this host apart, or was the response that slow?)`,
  }[operation.stage];
  return commandError(
    secrets,
    CommandErrorCode.CommandTimedOut,
    message,
    operation,
    operation.correlationId,
    operation.acknowledged,
    true,
  );
}

/** The rejection of a call that the client's close ended, with a message that says what was written. */
export function closedError(secrets: readonly string[], operation: Operation): CommandError {
  const message = operation.acknowledged
    ? 'the client was closed before the response came; the command was written'
    : operation.stage === 'sending'
      ? 'the client was closed before the broker acknowledged the command; it may still be written'
      : 'the client was closed; nothing was written';
  return commandError(
    secrets,
    CommandErrorCode.ClientClosed,
    message,
    operation,
    operation.correlationId,
    operation.acknowledged,
    false,
  );
}

/**
 * A new call of `kind` for `command`, due at `timeoutMs` from now. A watched call tells its observation
 * how it ended before its promise settles.
 */
export function newOperation(
  kind: Operation['kind'],
  command: OneWayCommand,
  correlationId: string | undefined,
  timeoutMs: number,
  resolve: Operation['resolve'],
  reject: Operation['reject'],
  observation?: CommandObservation,
): Operation {
  return {
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
    expiredResponseLateMs: undefined,
    cancelWait: noWait,
    observation,
    resolve:
      observation === undefined
        ? resolve
        : (value) => {
            observation.ended({ failed: false, response: value as CommandResponse | undefined });
            resolve(value);
          },
    reject:
      observation === undefined
        ? reject
        : (error) => {
            observation.ended({ failed: true, error });
            reject(error);
          },
  };
}

/** A command client error about one command. */
export function commandError(
  secrets: readonly string[],
  code: CommandErrorCode,
  message: string,
  target: { readonly tenantId: string; readonly deviceId: string; readonly name: string },
  correlationId: string | undefined,
  acknowledged: boolean,
  retriable: boolean,
  cause?: unknown,
): CommandError {
  const subject = `command "${target.name}" for device ${target.deviceId} of tenant ${target.tenantId}`;
  return new CommandError(
    code,
    scrub(`${subject}: ${message}`, secrets),
    {
      tenantId: target.tenantId,
      deviceId: target.deviceId,
      name: target.name,
      correlationId,
      acknowledged,
    },
    { retriable, cause },
  );
}

/** The wire fields of a command. */
export function commandInit(command: OneWayCommand): CommandInit {
  return {
    tenantId: command.tenant,
    deviceId: command.deviceId,
    name: command.name,
    payload: command.payload,
    contentType: command.contentType,
    ttlMs: command.ttlMs,
  };
}

export function requestInit(command: RequestCommand, correlationId: string): RequestCommandInit {
  return { ...commandInit(command), correlationId, failureMetadata: command.failureMetadata };
}

function commonSettings(options: ResolvedCommandClientOptions): ClientSettings {
  return { ...kafkaDefaults, ...options.kafka, 'bootstrap.servers': options.brokers };
}

export function producerSettings(options: ResolvedCommandClientOptions): ClientSettings {
  return { ...commonSettings(options), 'client.id': options.clientId };
}

export function readerSettings(options: ResolvedCommandClientOptions, groupId: string): ClientSettings {
  return {
    ...commonSettings(options),
    'client.id': `${options.clientId}-responses`,
    'group.id': groupId,
    'auto.offset.reset': 'latest',
    'enable.partition.eof': false,
    'partition.assignment.strategy': 'cooperative-sticky',
    // As Java's consumer does by default: a response topic that does not exist yet is created (if the
    // brokers allow it), so that the reader can be positioned before the first command is written.
    'allow.auto.create.topics': true,
  };
}
