/** This SDK: decoding into typed events, a no-op async handler, at-least-once commits, per ordering mode. */
import type { HandlerContext, HonoEventConsumerOptions } from '../../src/index.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';
import { registerSilentOpenTelemetry } from '../lib/silent-opentelemetry.js';
import type { Contender } from './contender.js';

/** How often the silent OpenTelemetry SDK collects the metrics (an exporter's usual interval is 60 s). */
const metricsIntervalMs = 1000;

/**
 * The SDK with `ordering` and otherwise default options; with a run's subscription, its endpoint,
 * tenants (a list or `'*'`) and `qos0`; with its `observability`, OpenTelemetry off, the api alone, or a
 * silent OpenTelemetry SDK.
 */
export function sdk(ordering: NonNullable<HonoEventConsumerOptions['ordering']>): Contender {
  return {
    async start(run, handled) {
      const { HonoEventConsumer } = await loadSdk();
      // Registered before the consumer exists, as an application does at start-up.
      const openTelemetry =
        run.observability === 'sdk' || run.observability === 'sdk-off'
          ? await registerSilentOpenTelemetry(metricsIntervalMs)
          : undefined;
      const subscription = run.subscription;
      const consumer = new HonoEventConsumer({
        brokers: run.brokers,
        tenant: subscription?.tenants ?? run.tenant,
        endpoints: subscription?.endpoint,
        qos0: subscription?.qos0,
        groupId: run.groupId,
        ordering,
        logger: quietLogger,
        ...(run.observability === 'off' || run.observability === 'sdk-off' ? { telemetry: false } : {}),
      });
      const counted = subscription?.countedTopicPrefix;
      const noop = async (_event: unknown, context: HandlerContext): Promise<void> => {
        if (counted === undefined || context.topic.startsWith(counted)) handled(1);
        await Promise.resolve();
      };
      await consumer.run({
        event: noop,
        emptyNotification: noop,
        connection: noop,
        invalid: (_error, _record, context) => noop(undefined, context),
      });
      if (openTelemetry === undefined) return { stop: () => consumer.stop() };
      return {
        stop: async () => {
          await consumer.stop();
          await openTelemetry.shutdown();
        },
        recorded: () => openTelemetry.dropped(),
      };
    },
  };
}
