/**
 * What the applications passes to the command client's calls.
 */
import type { CommandInit, RequestCommandInit } from '../wire/command-types.js';

/**
 * A command for one device, as `sendOneWay()` takes it: the fields of {@link CommandInit} that an
 * application sets (the encoder's own, `creation-time` and tracing, are the client's), the tenant by
 * its name, and the call's timeout.
 *
 * @category Commands
 */
export interface OneWayCommand extends Pick<
  CommandInit,
  'deviceId' | 'name' | 'payload' | 'contentType' | 'ttlMs'
> {
  /** The tenant: the command goes to `hono.command.<tenant>`. */
  readonly tenant: string;
  /**
   * How long the call may take (for `request()`: sending and waiting for the response together).
   * @defaultValue the client's `requestTimeoutMs`
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * A request/response command, as `request()` and `send()` take it: a one-way command with the
 * failure metadata of {@link RequestCommandInit}.
 *
 * @category Commands
 */
export interface RequestCommand extends OneWayCommand, Pick<RequestCommandInit, 'failureMetadata'> {}

/**
 * A request/response command written without waiting for its response, as `send()` takes it.
 *
 * @category Commands
 */
export interface DurableRequestCommand extends RequestCommand {
  /** The `correlation-id` (e.g. one stored with the workflow). @defaultValue a new random UUID */
  readonly correlationId?: string | undefined;
}
