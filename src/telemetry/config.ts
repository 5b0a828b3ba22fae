/**
 * What the observers of a consumer know of it.
 */
import type { HealthSnapshot } from '../engine/health.js';
import type { ResolvedTelemetry } from './options.js';

/** What the observers of a consumer know of it. */
export interface ConsumerObserverConfig {
  readonly telemetry: ResolvedTelemetry;
  /** The consumer group (`messaging.consumer.group.name`). */
  readonly groupId: string;
  /** The client id (`messaging.client.id`). */
  readonly clientId: string;
  /** E.g. `hono.event.{tenant_id}`, or `hono.command_response.{tenant_id}` (`messaging.destination.template`). */
  readonly destinationTemplate: (topic: string) => string;
  /** The consumer's health, for the gauges (in flight, paused partitions, lag). */
  readonly health: () => HealthSnapshot;
}
