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
 * @param qos0 - what records with `qos` 0 get (the `qos0` option)
 * @returns the route the engine runs
 */
export function eventRoute(
  handlers: HonoEventHandlers,
  qos0: 'atLeastOnce' | 'atMostOnce' = 'atLeastOnce',
): RecordRoute<HonoEvent> {
  return {
    decode: decodeEvent,
    handlerFor: (event) => handlerFor(handlers, event),
    isExpired: (event, now) => isExpired(event, now),
    atMostOnce: qos0 === 'atMostOnce' ? (event) => event.qos === 0 : () => false,
    invalid: handlers.invalid,
  };
}
