/**
 * What the public consumers (`HonoEventConsumer`, `HonoCommandResponseConsumer`) share: the engine made
 * with the librdkafka clients (or the tests' fakes), its settings, and the emitting of its events through
 * the public class.
 */
import type { ClientFactories } from '../engine/client.js';
import { clientChoice } from '../engine/client-choice.js';
import { ConsumerEngine } from '../engine/engine.js';
import { OptionsError } from '../errors.js';
import { rdkafkaClients } from '../kafka/rdkafka-clients.js';
import { engineSettings, settingProblems } from './client-settings.js';
import type { EngineObserver } from '../engine/observer.js';
import { consumerObserver } from '../telemetry/consumer-observer.js';
import { parseHonoTopic } from '../tenant.js';
import { type ResolvedOptions, secretValues } from './options.js';

const chosenClients = clientChoice<ClientFactories>(rdkafkaClients);

/**
 * Makes consumers whose clients come from `clients` instead of librdkafka: the unit tests' fakes. Not part
 * of the package's API.
 *
 * @internal
 */
export const withClients: <T>(clients: ClientFactories, make: () => T) => T = (fakes, make) =>
  chosenClients.with(fakes, make);

/** Whatever emits a public consumer's events: the consumer itself. */
export interface EventSink {
  emit(name: string, ...args: unknown[]): boolean;
}

/**
 * Makes the engine of a public consumer. librdkafka checks the pass-through settings when the client object
 * is made: an unknown name or a bad value is an options problem, reported here. The object connects nothing
 * and holds no thread or socket until `run()` (measured: none), so a consumer that never runs leaks nothing.
 *
 * @param options - the resolved options
 * @param target - emits the engine's events; what its listeners throw is logged
 * @returns the engine
 * @throws {@link OptionsError} naming each pass-through setting librdkafka refuses (`kafka.<name>`)
 */
export function makeEngine(options: ResolvedOptions, target: EventSink): ConsumerEngine {
  const clients = chosenClients.current();
  try {
    return new ConsumerEngine(
      options,
      engineSettings(options),
      clients,
      (name, ...args) => {
        try {
          target.emit(name, ...args);
        } catch (error) {
          options.logger.error(`a listener of "${name}" threw`, { error });
        }
      },
      (engine) => observerOf(options, engine),
    );
  } catch (error) {
    throw new OptionsError(settingProblems(options, error, clients, secretValues(options.kafka)));
  }
}

/**
 * The observer of a consumer's engine: its OpenTelemetry spans and metrics and its diagnostics channels.
 *
 * @param options - the resolved options
 * @param engine - the engine, for the gauges
 * @returns the observer
 */
function observerOf(options: ResolvedOptions, engine: ConsumerEngine): Promise<EngineObserver> {
  return consumerObserver({
    telemetry: options.telemetry,
    groupId: options.groupId,
    clientId: options.clientId,
    destinationTemplate: (topic) => {
      const parsed = parseHonoTopic(topic);
      if (parsed !== undefined) return `hono.${parsed.endpoint}.{tenant_id}`;
      return topic.startsWith('hono.command_response.') ? 'hono.command_response.{tenant_id}' : topic;
    },
    health: () => engine.health(),
  });
}
