/**
 * How the engine reports: a typed `emit` for the consumer's events that never throws (a listener's
 * exception is logged by whoever made it).
 */
import type { HonoEventConsumerEvents } from '../consumer/events.js';

/** Emits one of the consumer's events; a listener's exception does not reach the caller. */
export type Emit = <Name extends keyof HonoEventConsumerEvents>(
  name: Name,
  ...args: Parameters<HonoEventConsumerEvents[Name]>
) => void;
