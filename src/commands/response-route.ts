/**
 * The command response consumer's records: command responses, decoded by `decodeCommandResponse` and
 * given to the application's `response` handler.
 */
import { checkHandlers, type EventHandler, type InvalidRecordHandler } from '../consumer/handlers.js';
import type { RecordRoute } from '../engine/record-route.js';
import { type CommandResponse, decodeCommandResponse } from '../wire/commands.js';

/**
 * The handlers passed to {@link HonoCommandResponseConsumer.run}: `response`, `invalid`, or both, each a
 * function (`run()` rejects anything else with an {@link OptionsError}).
 *
 * @example
 * ```ts
 * await responses.run({
 *   response: async (response) => {
 *     if (response.kind === 'deliveryFailure') await workflows.failed(response.correlationId, response.error);
 *     else await workflows.answered(response.correlationId, response.status, response.payload);
 *   },
 * });
 * ```
 * @category Commands
 */
export interface HonoCommandResponseHandlers {
  /**
   * Every command response: a device's (`kind: 'response'`, any status) or a delivery failure that Hono
   * wrote (`kind: 'deliveryFailure'`). Match it to the command by its `correlationId`. Resolve when it is
   * processed; the SDK commits past it only then.
   * @defaultValue none: responses are committed without processing
   */
  readonly response?: EventHandler<CommandResponse> | undefined;
  /**
   * Records that are not valid command responses, e.g. without `correlation-id` or `status` (a
   * `decodeError` event is emitted first).
   * @defaultValue none: the `onFailure` outcome applies to them
   */
  readonly invalid?: InvalidRecordHandler | undefined;
}

/**
 * Checks what the application passed to {@link HonoCommandResponseConsumer.run}.
 *
 * @param input - the handlers as passed
 * @returns the same handlers
 * @throws {@link OptionsError} listing `handlers.<name>: problem` for each bad handler, or `handlers: problem`
 */
export function validateResponseHandlers(input: unknown): HonoCommandResponseHandlers {
  checkHandlers(input, ['response', 'invalid'], '{ response: async (response) => { ... } }');
  return input as HonoCommandResponseHandlers;
}

/**
 * Binds the application's response handlers to the decoding of command responses.
 *
 * @param handlers - the validated handlers
 * @returns the route the engine runs
 */
export function responseRoute(handlers: HonoCommandResponseHandlers): RecordRoute<CommandResponse> {
  const handler = handlers.response;
  return {
    decode: decodeCommandResponse,
    handlerFor: (response) => (handler === undefined ? undefined : (context) => handler(response, context)),
    // Hono's own response consumer skips expired responses (`respectTtl`); delivery failures carry no ttl.
    isExpired: (response, now) =>
      response.kind === 'response' &&
      response.ttlMs !== undefined &&
      response.creationTime !== undefined &&
      response.creationTime + response.ttlMs < now,
    atMostOnce: () => false,
    invalid: handlers.invalid,
  };
}
