/**
 * What the engine tells whoever watches it (OpenTelemetry spans and metrics, `node:diagnostics_channel`):
 * each handler call, the records each poll delivered, each commit with its duration, and every event it
 * emits. An observer that watches nothing costs a property read per call: the engine asks
 * {@link EngineObserver.handlerStarted} and gets `undefined`.
 */
import type { HandlerError, HonoKafkaError } from '../errors.js';
import type { WorkItem } from '../processing/work-item.js';
import type { TopicPartitionOffset } from '../types.js';
import type { ClientMessage } from './client.js';
import type { EngineEvents } from './emit.js';

/** One handler call being watched. */
export interface HandlerObservation {
  /**
   * Runs the handler call inside the observation, e.g. with its span as the active one, so that the
   * application's own spans become its children.
   *
   * @param call - the handler call
   * @returns what the call returned
   */
  run<T>(call: () => T): T;
  /**
   * The call settled.
   *
   * @param error - why it failed (a timeout included); undefined when it succeeded
   */
  end(error: HandlerError | undefined): void;
}

/** Watches an engine. Every method must be cheap and must not throw. */
export interface EngineObserver {
  /**
   * A handler call starts.
   *
   * @param item - the record
   * @param attempt - 1 for the first call
   * @returns the observation to run the call in and end, or undefined when nothing watches calls
   */
  handlerStarted(item: WorkItem, attempt: number): HandlerObservation | undefined;
  /**
   * A poll delivered records to the engine (before they are decoded).
   *
   * @param messages - the records
   */
  fetched(messages: readonly ClientMessage[]): void;
  /**
   * The broker answered a commit, or did not in time.
   *
   * @param positions - the positions committed
   * @param durationMs - from the request to the answer (or the timeout)
   * @param error - why it failed; undefined when the broker confirmed it
   */
  committed(
    positions: readonly TopicPartitionOffset[],
    durationMs: number,
    error: HonoKafkaError | undefined,
  ): void;
  /**
   * The engine emitted one of its events (retrying, skipped, deadLettered, expired, paused, ...).
   *
   * @param name - the event
   * @param args - its arguments
   */
  event<Name extends keyof EngineEvents>(name: Name, ...args: Parameters<EngineEvents[Name]>): void;
  /** The engine stopped: release what the observer holds (e.g. metric callbacks). */
  close?(): void;
}

/** The observer that watches nothing. */
export const noObserver: EngineObserver = {
  handlerStarted: () => undefined,
  fetched: () => undefined,
  committed: () => undefined,
  event: () => undefined,
};

/**
 * One observer that tells several.
 *
 * @param observers - the observers, in order
 * @returns an observer that tells each of them; with none, {@link noObserver}; with one, that one
 */
export function combineObservers(observers: readonly EngineObserver[]): EngineObserver {
  if (observers.length === 0) return noObserver;
  if (observers.length === 1) return observers[0] ?? noObserver;
  return {
    handlerStarted(item, attempt) {
      // Called for every record: no array is made while no observer watches handler calls.
      let observations: HandlerObservation[] | undefined;
      for (const observer of observers) {
        const observation = observer.handlerStarted(item, attempt);
        if (observation !== undefined) (observations ??= []).push(observation);
      }
      if (observations === undefined) return undefined;
      if (observations.length === 1) return observations[0];
      const all = observations;
      return {
        run: <T>(call: () => T): T =>
          all.reduceRight<() => T>((inner, observation) => () => observation.run(inner), call)(),
        end: (error) => {
          for (const observation of all) observation.end(error);
        },
      };
    },
    fetched(messages) {
      for (const observer of observers) observer.fetched(messages);
    },
    committed(positions, durationMs, error) {
      for (const observer of observers) observer.committed(positions, durationMs, error);
    },
    event(name, ...args) {
      for (const observer of observers) observer.event(name, ...args);
    },
    close() {
      for (const observer of observers) observer.close?.();
    },
  };
}
