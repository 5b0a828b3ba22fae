/**
 * The event consumer's records: Hono events, decoded by `decodeEvent` and routed to the handler of their
 * kind.
 */
import { isExpired } from '../command-window.js';
import type { RecordRoute } from '../engine/record-route.js';
import { decodeEvent } from '../wire/decode.js';
import type { HonoEvent } from '../wire/types.js';
import { handlerFor, type HonoEventHandlers } from './handlers.js';

/**
 * Binds the application's event handlers to the decoding of Hono events.
 *
 * @param handlers - the validated handlers
 * @returns the route the engine runs
 */
export function eventRoute(handlers: HonoEventHandlers): RecordRoute<HonoEvent> {
  return {
    decode: decodeEvent,
    handlerFor: (event) => handlerFor(handlers, event),
    isExpired: (event, now) => isExpired(event, now),
    invalid: handlers.invalid,
  };
}
