/**
 * Commands that wait for the device. Hono does not queue a command for a device that cannot receive one:
 * it answers 503 `no consumer available`. The command windows that Hono announces with `ttd` (on empty
 * notifications and other events) tell when a device can; {@link DeviceWindows} keeps the latest window
 * of each device from the events the application consumes anyway, and lets a command wait for it.
 *
 * @module
 */
import {
  commandWindow,
  type CommandWindow,
  type CommandWindowSource,
  remainingCommandWindow,
} from '../command-window.js';
import { DeviceUnreachableError } from '../errors.js';

/**
 * What a window is learned from: any decoded Hono event will do.
 *
 * @category Commands
 */
export interface DeviceWindowSource extends CommandWindowSource {
  /** The tenant of the device. */
  readonly tenantId: string;
  /** The device. */
  readonly deviceId: string;
}

/**
 * How long to wait for a window, and what may end the wait early.
 *
 * @category Commands
 */
export interface WaitOptions {
  /** The longest wait in ms; the promise rejects with {@link DeviceUnreachableError} after it. */
  readonly timeoutMs: number;
  /** Ends the wait early (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined;
}

interface Known {
  readonly window: CommandWindow;
  readonly source: CommandWindowSource;
}

interface Waiter {
  readonly resolve: (remainingMs: number) => void;
  readonly reject: (reason: Error) => void;
}

const keyOf = (tenantId: string, deviceId: string): string => `${tenantId}\u0000${deviceId}`;

/**
 * The latest command window of each device, learned from events, and waits for a window to open.
 *
 * Only open windows are kept (a device whose window closed is forgotten), so memory grows with the
 * devices that can receive commands now, not with all devices ever seen. An event older than the one a
 * window was learned from does not change it (events of one device arrive in order per partition, but
 * telemetry and events come from different topics).
 *
 * @example
 * ```ts
 * const windows = new DeviceWindows();
 * await consumer.run({ emptyNotification: (event) => windows.observe(event), event: (event) => windows.observe(event) });
 * const remainingMs = await windows.whenReachable('DEFAULT_TENANT', 'my-device', { timeoutMs: 60_000 });
 * const result = await commands.request({ tenant: 'DEFAULT_TENANT', deviceId: 'my-device', name: 'setVolume', timeoutMs: Math.min(remainingMs, 10_000) });
 * ```
 * @category Commands
 */
export class DeviceWindows {
  readonly #now: () => number;
  readonly #open = new Map<string, Known>();
  readonly #waiting = new Map<string, Set<Waiter>>();

  /** @param options - `now`: the clock (ms since the epoch), `Date.now` by default */
  constructor(options: { readonly now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * Learns a device's command window from an event. Events without `ttd` say nothing about it and
   * change nothing; `ttd` `0` closes the window.
   *
   * @param event - a decoded Hono event
   */
  observe(event: DeviceWindowSource): void {
    if (event.ttd === undefined) return;
    const key = keyOf(event.tenantId, event.deviceId);
    const known = this.#open.get(key);
    if (known !== undefined && known.source.creationTime.getTime() > event.creationTime.getTime()) return;
    const window = commandWindow(event);
    const remaining = remainingCommandWindow(event, this.#now());
    if (window.kind === 'closed' || remaining === 0) {
      this.#open.delete(key);
      return;
    }
    this.#open.set(key, { window, source: { creationTime: event.creationTime, ttd: event.ttd } });
    const waiters = this.#waiting.get(key);
    if (waiters === undefined) return;
    this.#waiting.delete(key);
    for (const waiter of waiters) waiter.resolve(remaining);
  }

  /**
   * The device's window as last learned, if it is still open.
   *
   * @returns the window, or undefined when it is closed, over, or unknown
   */
  window(tenantId: string, deviceId: string): CommandWindow | undefined {
    return this.remainingMs(tenantId, deviceId) > 0
      ? this.#open.get(keyOf(tenantId, deviceId))?.window
      : undefined;
  }

  /**
   * How long the device stays reachable from now.
   *
   * @returns ms: `Infinity` for `ttd` `-1`, `0` when closed, over or unknown
   */
  remainingMs(tenantId: string, deviceId: string): number {
    const key = keyOf(tenantId, deviceId);
    const known = this.#open.get(key);
    if (known === undefined) return 0;
    const remaining = remainingCommandWindow(known.source, this.#now());
    if (remaining === 0) this.#open.delete(key);
    return remaining;
  }

  /**
   * Waits until the device can receive a command: at once when its window is open, else until an event
   * opens it or `timeoutMs` passed.
   *
   * @returns the ms the window stays open from then (`Infinity` for `ttd` `-1`): the longest sensible
   *   timeout for a command sent now
   * @throws {@link DeviceUnreachableError} when no window opened in time; the signal's reason when it aborted
   */
  whenReachable(tenantId: string, deviceId: string, options: WaitOptions): Promise<number> {
    const remaining = this.remainingMs(tenantId, deviceId);
    if (remaining > 0) return Promise.resolve(remaining);
    const { signal, timeoutMs } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const key = keyOf(tenantId, deviceId);
    return new Promise<number>((resolve, reject) => {
      const end = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const waiters = this.#waiting.get(key);
        waiters?.delete(waiter);
        if (waiters?.size === 0) this.#waiting.delete(key);
      };
      const waiter: Waiter = {
        resolve: (value) => {
          end();
          resolve(value);
        },
        reject: (reason) => {
          end();
          reject(reason);
        },
      };
      const onAbort = (): void => {
        // An AbortSignal's reason is an Error unless the caller chose another value.
        waiter.reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        waiter.reject(new DeviceUnreachableError(tenantId, deviceId, timeoutMs));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      let waiters = this.#waiting.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiting.set(key, waiters);
      }
      waiters.add(waiter);
    });
  }

  /** Devices with an open window (some may have run out since; they are dropped when asked about). */
  get size(): number {
    return this.#open.size;
  }

  /** Waits that are under way. */
  get waiting(): number {
    let count = 0;
    for (const waiters of this.#waiting.values()) count += waiters.size;
    return count;
  }
}
