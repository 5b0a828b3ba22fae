/**
 * What watches the command client's calls, as the client sees it: an observer asked at each call, and
 * the observation it returns, told of the acknowledgement, the response read and the call's end. A call
 * that nothing watches costs one check per observer: {@link CommandObserver.started} returns undefined.
 *
 * @module
 */
import { CommandErrorCode, isCommandError } from '../errors.js';
import type { KafkaRecord } from '../types.js';
import type { CommandResponse } from '../wire/commands.js';
import type { CommandCallKind, RequestOutcome } from './channels.js';

/** How a call ended: its value (a request's response; nothing for the others) or its error. */
export type CommandResult =
  | { readonly failed: false; readonly response: CommandResponse | undefined }
  | { readonly failed: true; readonly error: unknown };

/** One call being watched. Every method is cheap and never throws. */
export interface CommandObservation {
  /** The W3C `traceparent` to write into the command (the send span's), or undefined for none. */
  readonly traceparent: string | undefined;
  /** The W3C `tracestate` to write with it, or undefined for none. */
  readonly tracestate: string | undefined;
  /** The broker acknowledged the command. */
  acknowledged(): void;
  /**
   * The response to this request was read (before the call ends with it): its record, for its trace
   * context and its place.
   */
  responseRead(record: KafkaRecord): void;
  /** The call ended: resolved or rejected (whatever ended it: a failure, its timeout, the close). */
  ended(result: CommandResult): void;
}

/** Watches the calls of a command client. */
export interface CommandObserver {
  /**
   * A call was accepted (validated, not rejected at once); its record is about to be encoded.
   *
   * @param kind - `oneWay`, `send` or `request`
   * @param tenantId - the tenant
   * @param deviceId - the device
   * @param name - the command name
   * @param correlationId - the request's correlation id; undefined for a one-way command
   * @returns the observation, or undefined when nothing watches calls
   */
  started(
    kind: CommandCallKind,
    tenantId: string,
    deviceId: string,
    name: string,
    correlationId: string | undefined,
  ): CommandObservation | undefined;
}

/** The observer that watches nothing. */
export const noCommandObserver: CommandObserver = { started: () => undefined };

/**
 * How a call ended, as `hono.command.outcome` and the `command:response` channel say it.
 *
 * @param result - the call's result
 * @returns `response`, `deliveryFailure`, `acknowledged` (a one-way command or a send), `timeout` or `error`
 */
export function commandOutcome(result: CommandResult): RequestOutcome | 'acknowledged' {
  if (!result.failed) {
    if (result.response === undefined) return 'acknowledged';
    return result.response.kind === 'deliveryFailure' ? 'deliveryFailure' : 'response';
  }
  return isCommandError(result.error) && result.error.code === CommandErrorCode.CommandTimedOut
    ? 'timeout'
    : 'error';
}

/**
 * One observer that tells several.
 *
 * @param observers - the observers, in order; the first observation with a `traceparent` gives it
 * @returns an observer that tells each of them
 */
export function combineCommandObservers(observers: readonly CommandObserver[]): CommandObserver {
  if (observers.length === 0) return noCommandObserver;
  if (observers.length === 1) return observers[0] ?? noCommandObserver;
  return {
    started(kind, tenantId, deviceId, name, correlationId) {
      let observations: CommandObservation[] | undefined;
      for (const observer of observers) {
        const observation = observer.started(kind, tenantId, deviceId, name, correlationId);
        if (observation !== undefined) (observations ??= []).push(observation);
      }
      if (observations === undefined) return undefined;
      if (observations.length === 1) return observations[0];
      const all = observations;
      const traced = all.find((observation) => observation.traceparent !== undefined);
      return {
        traceparent: traced?.traceparent,
        tracestate: traced?.tracestate,
        acknowledged() {
          for (const observation of all) observation.acknowledged();
        },
        responseRead(record) {
          for (const observation of all) observation.responseRead(record);
        },
        ended(result) {
          for (const observation of all) observation.ended(result);
        },
      };
    },
  };
}
