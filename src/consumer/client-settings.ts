/**
 * The librdkafka settings of the consumer's clients, built from its options, and the check that names
 * each pass-through setting librdkafka refuses.
 */
import type { ClientFactories, ClientSettings } from '../engine/client.js';
import { scrub } from '../engine/client-errors.js';
import type { EngineSettings } from '../engine/engine.js';
import type { OptionProblem } from '../errors.js';
import { kafkaDefaults, redactSettings, type ResolvedOptions } from './options.js';

/** The settings both clients share: the application's pass-through settings and the brokers. */
function commonSettings(options: ResolvedOptions): ClientSettings {
  return { ...options.kafka, 'bootstrap.servers': options.brokers };
}

/**
 * The settings of the consumer client and, with `onFailure: 'deadLetter'`, of the dead-letter producer.
 * The application's pass-through settings come first: the SDK's own keys always win.
 *
 * @param options - the resolved options
 * @returns the settings
 */
export function engineSettings(options: ResolvedOptions): EngineSettings {
  const protocol =
    options.groupProtocol === 'consumer'
      ? { 'group.protocol': 'consumer' }
      : { 'partition.assignment.strategy': 'cooperative-sticky' };
  return {
    consumer: {
      'client.id': options.clientId,
      ...kafkaDefaults,
      ...commonSettings(options),
      'auto.offset.reset': options.startFrom,
      'enable.partition.eof': false,
      ...protocol,
      'group.id': options.groupId,
    },
    producer:
      options.onFailure === 'deadLetter'
        ? { ...commonSettings(options), 'client.id': `${options.clientId}-dlq` }
        : undefined,
  };
}

/**
 * What is wrong with one pass-through setting, from librdkafka's message (the value is shown unless the
 * setting is a secret).
 */
function settingProblem(key: string, value: unknown, message: string): string {
  if (/no such configuration property/i.test(message)) {
    return `is not a librdkafka setting (${message}); see https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md`;
  }
  // librdkafka quotes some values, not all (and its text is scrubbed of secrets already).
  const shown = JSON.stringify(redactSettings({ [key]: value })[key]);
  return `has a value librdkafka refuses (${message})${message.includes(String(value)) ? '' : `; got ${shown}`}`;
}

/**
 * Which pass-through settings librdkafka refuses, after making a client failed with `error`: each is
 * tried alone on a throwaway client object (no connection, no thread), so that one error names them all;
 * when none fails alone, the combination does. Shared by every client of the SDK.
 *
 * @param kafka - the pass-through settings
 * @param error - what making the clients threw
 * @param tryOne - makes a throwaway client with the given settings, throwing what librdkafka refuses
 * @param secrets - setting values never shown
 * @returns one problem per refused setting (`kafka.<name>`), or one for the combination (`kafka`)
 */
export function refusedSettingProblems(
  kafka: Readonly<Record<string, string | number | boolean>>,
  error: unknown,
  tryOne: (settings: Record<string, string | number | boolean>) => void,
  secrets: readonly string[],
): OptionProblem[] {
  const text = (failure: unknown): string =>
    scrub(failure instanceof Error ? failure.message : String(failure), secrets);
  const problems = Object.entries(kafka).flatMap(([key, value]): OptionProblem[] => {
    try {
      tryOne({ [key]: value });
      return [];
    } catch (failure) {
      return [{ path: `kafka.${key}`, message: settingProblem(key, value, text(failure)) }];
    }
  });
  return problems.length > 0 ? problems : [{ path: 'kafka', message: text(error) }];
}

/**
 * {@link refusedSettingProblems} for the consumer: each setting is tried on a throwaway consumer.
 *
 * @param options - the resolved options
 * @param error - what making the clients threw
 * @param clients - makes the throwaway clients
 * @param secrets - setting values never shown
 * @returns one problem per refused setting (`kafka.<name>`), or one for the combination (`kafka`)
 */
export function settingProblems(
  options: ResolvedOptions,
  error: unknown,
  clients: ClientFactories,
  secrets: readonly string[],
): OptionProblem[] {
  const ignore = (): void => undefined;
  return refusedSettingProblems(
    options.kafka,
    error,
    (settings) => {
      // Made for its constructor's check only; it holds nothing to release.
      clients.consumer(
        { 'bootstrap.servers': 'localhost:9092', 'group.id': 'settings-check', ...settings },
        { rebalance: ignore, commitResult: ignore, clientError: ignore },
      );
    },
    secrets,
  );
}
