/**
 * How the engine reports: a typed `emit` for the consumer's events that never throws (a listener's
 * exception is logged by whoever made it).
 */
import type { ConsumerEvents } from '../consumer/events.js';
import type { DecodedRecord } from './record-route.js';

/** The events the engine emits: a consumer's, with `expired` for any kind of decoded record. */
export type EngineEvents = ConsumerEvents<DecodedRecord>;

/** Emits one of the consumer's events; a listener's exception does not reach the caller. */
export type Emit = <Name extends keyof EngineEvents>(
  name: Name,
  ...args: Parameters<EngineEvents[Name]>
) => void;
