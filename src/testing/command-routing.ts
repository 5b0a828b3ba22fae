/**
 * What Hono's Command Router does with one command record, as a pure decision: drop it, answer it with a
 * delivery failure, or deliver it to the device. The simulator's command router carries the decision
 * out (`command-router.ts`).
 *
 * Hono's order (round2-notes §1.2, §1.3): a record whose `ttl` passed is dropped before anything else
 * (`HonoKafkaConsumer`, `respectTtl`); a record without `device_id`, or whose key differs from it, is
 * dropped; a malformed one (no `subject`, or `response-required` without a `correlation-id`) is rejected
 * with 400 `malformed command message`; a command for a device without a command consumer gets 503
 * `no consumer available`. Delivery failures are written only for request/response commands that carry
 * a correlation id; one-way commands never get an answer.
 *
 * @module
 */
import {
  type DecodedCommand,
  type DeliveryFailureInit,
  type InvalidCommand,
  isCommandExpired,
} from '../wire/commands.js';

/**
 * What the simulator did with a command record, as in {@link HandledCommand.outcome}.
 *
 * @category Testing
 */
export const CommandOutcome = {
  /** The device answered a request/response command; the response was written. */
  Answered: 'answered',
  /** The device got a request/response command and did not answer (the answer function returned nothing). */
  Unanswered: 'unanswered',
  /** The device got a one-way command (never answered). */
  OneWay: 'oneWay',
  /** The device was not connected: a request got Hono's 503 `no consumer available`. */
  NoConsumer: 'noConsumer',
  /** The record was malformed: a request with a correlation id got Hono's 400 `malformed command message`. */
  Malformed: 'malformed',
  /** No `device_id`, or a key that differs from it: dropped without an answer, as Hono does. */
  Dropped: 'dropped',
  /** The command's `ttl` had passed: dropped without an answer, as Hono's router does. */
  Expired: 'expired',
  /** The answer function threw, or its response could not be encoded or written. */
  Failed: 'failed',
  /**
   * Created before `ignoreCreatedBefore` (`answerCommands`): a command of an earlier run, neither
   * delivered nor answered.
   */
  Skipped: 'skipped',
} as const;

/**
 * One of {@link CommandOutcome}.
 *
 * @category Testing
 */
export type CommandOutcome = (typeof CommandOutcome)[keyof typeof CommandOutcome];

/** Hono's error texts (`ServiceInvocationException_messages.properties`, `KafkaBasedCommandContext`). */
export const honoErrors = {
  noConsumer: { status: 503, error: 'no consumer available' },
  malformed: { status: 400, error: 'malformed command message' },
} as const;

/** Where a command record goes. */
export type CommandRoute =
  | {
      /** Nothing reaches the device; `failure` is the delivery failure to write, if Hono writes one. */
      readonly kind: 'reject';
      readonly outcome:
        | typeof CommandOutcome.Dropped
        | typeof CommandOutcome.Expired
        | typeof CommandOutcome.Malformed
        | typeof CommandOutcome.NoConsumer
        | typeof CommandOutcome.Skipped;
      readonly failure: DeliveryFailureInit | undefined;
    }
  | {
      /** The device gets the command. */
      readonly kind: 'deliver';
      readonly command: DecodedCommand;
    };

/** What the router knows besides the decoded record. */
export interface RecordContext {
  /** The tenant of the topic the record came from. */
  readonly tenantId: string;
  /** Now, in ms since the epoch. */
  readonly now: number;
  /** Commands created before this time (ms since the epoch) are skipped; none when undefined. */
  readonly ignoreCreatedBefore?: number | undefined;
}

/**
 * Decides what Hono's Command Router does with a decoded command record.
 *
 * @param decoded - what `decodeCommand` made of the record
 * @param context - the tenant of the topic and the time
 * @param isReachable - whether the device has a command consumer now (connected and subscribed)
 * @returns the route: rejected (with the delivery failure to write, if any) or delivered
 */
export function routeCommand(
  decoded: DecodedCommand | InvalidCommand,
  context: RecordContext,
  isReachable: (deviceId: string) => boolean,
): CommandRoute {
  if ('kind' in decoded) {
    if (decoded.kind === 'dropped')
      return { kind: 'reject', outcome: CommandOutcome.Dropped, failure: undefined };
    const deviceId = decoded.deviceId;
    const failure =
      decoded.responseRequired === true && decoded.correlationId !== undefined && deviceId !== undefined
        ? {
            tenantId: decoded.tenantId ?? context.tenantId,
            deviceId,
            correlationId: decoded.correlationId,
            ...honoErrors.malformed,
            failureMetadata: decoded.failureMetadata,
          }
        : undefined;
    return { kind: 'reject', outcome: CommandOutcome.Malformed, failure };
  }
  const cutoff = context.ignoreCreatedBefore;
  if (cutoff !== undefined && decoded.creationTime !== undefined && decoded.creationTime < cutoff) {
    return { kind: 'reject', outcome: CommandOutcome.Skipped, failure: undefined };
  }
  if (isCommandExpired(decoded, context.now)) {
    return { kind: 'reject', outcome: CommandOutcome.Expired, failure: undefined };
  }
  if (!isReachable(decoded.deviceId)) {
    const failure =
      decoded.responseRequired && decoded.correlationId !== undefined
        ? {
            tenantId: decoded.tenantId,
            deviceId: decoded.deviceId,
            correlationId: decoded.correlationId,
            ...honoErrors.noConsumer,
            failureMetadata: decoded.failureMetadata,
          }
        : undefined;
    return { kind: 'reject', outcome: CommandOutcome.NoConsumer, failure };
  }
  return { kind: 'deliver', command: decoded };
}
