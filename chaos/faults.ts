/**
 * The faults a consumer process injects into its own handler on request: a partial outage (devices
 * failing while the runner says so), a poison record, and calls that ignore their signal past the
 * handler timeout. Also watches that no two calls of one device overlap.
 */
import type { ConsumerConfig } from './protocol.js';
import { recordId } from './protocol.js';

export class Faults {
  /** Set by `outage on` / `outage off` lines from the runner. */
  outage = false;
  readonly #config: ConsumerConfig;
  readonly #running = new Map<string, number>();

  constructor(config: ConsumerConfig) {
    this.#config = config;
  }

  /** Why this attempt must throw, or undefined. */
  failure(device: string, seq: number): string | undefined {
    if (this.#config.poison === recordId(device, seq)) return `chaos: poison record ${device}/${seq}`;
    const every = this.#config.failingEvery;
    const index = Number(/^device-(\d+)$/.exec(device)?.[1] ?? -1);
    if (this.outage && every !== undefined && index >= 0 && index % every === 0)
      return `chaos: ${device} is in the outage`;
    return undefined;
  }

  /** A call of `device` begins; true when another call of that device is still running (an overlap). */
  enter(device: string): boolean {
    const running = this.#running.get(device) ?? 0;
    this.#running.set(device, running + 1);
    return running > 0;
  }

  /** A call of `device` ended. */
  leave(device: string): void {
    const running = (this.#running.get(device) ?? 1) - 1;
    if (running === 0) this.#running.delete(device);
    else this.#running.set(device, running);
  }
}
