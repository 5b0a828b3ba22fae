/**
 * What an application does with `ttd` and `ttl`: the command window during which a device can receive
 * a command, and the expiry of a message, as Hono's Java API defines them.
 *
 * @module
 */

/**
 * What the command window is computed from: any decoded Hono event will do.
 *
 * @category Command window
 */
export interface CommandWindowSource {
  /** When the message was created. */
  readonly creationTime: Date;
  /** Time 'til disconnect in seconds: `-1`, `0`, a positive number, or `undefined` when unknown. */
  readonly ttd: number | undefined;
}

/**
 * What the expiry of a message is computed from: any decoded Hono event will do.
 *
 * @category Command window
 */
export interface ExpirySource {
  /** When the message was created. */
  readonly creationTime: Date;
  /** Time to live in ms, or `undefined` when the message never expires. */
  readonly ttl: number | undefined;
}

/**
 * The kinds of command window, the discriminant `kind` of {@link CommandWindow}.
 *
 * @category Command window
 */
export const CommandWindowKind = {
  /** `ttd` is `0` or absent: the device cannot receive commands. */
  Closed: 'closed',
  /** `ttd` is `-1`: the device can receive commands until a later notification with `ttd` `0`. */
  UntilFurtherNotice: 'untilFurtherNotice',
  /** `ttd` is positive: the device can receive commands until {@link CommandWindow | until}. */
  Until: 'until',
} as const;

/**
 * The kind of a command window: one of the values of {@link CommandWindowKind}.
 *
 * @category Command window
 */
export type CommandWindowKind = (typeof CommandWindowKind)[keyof typeof CommandWindowKind];

/**
 * When a device can receive commands, according to one event.
 *
 * @category Command window
 */
export type CommandWindow =
  | {
      /** `ttd` is `0` or absent: the device cannot receive commands. */
      readonly kind: typeof CommandWindowKind.Closed;
    }
  | {
      /** `ttd` is `-1`: the device can receive commands until a later notification with `ttd` `0`. */
      readonly kind: typeof CommandWindowKind.UntilFurtherNotice;
    }
  | {
      /** `ttd` is positive: the device can receive commands until `until`. */
      readonly kind: typeof CommandWindowKind.Until;
      /** The first moment the device is no longer reachable: `creationTime + ttd` seconds. */
      readonly until: Date;
    };

const CLOSED: CommandWindow = Object.freeze({ kind: CommandWindowKind.Closed });
const UNTIL_FURTHER_NOTICE: CommandWindow = Object.freeze({ kind: CommandWindowKind.UntilFurtherNotice });

function toMs(now: Date | number): number {
  return typeof now === 'number' ? now : now.getTime();
}

/**
 * The command window that an event announces: closed (`ttd` `0` or absent), open until further notice
 * (`ttd` `-1`), or open until `creationTime + ttd` seconds. The window may already be over; see
 * {@link isDeviceReachable} for a given moment.
 *
 * @param source - A decoded event, or anything with `creationTime` and `ttd`.
 * @returns The window, discriminated by `kind`.
 * @example
 * ```ts
 * const window = commandWindow(event);
 * if (window.kind === 'until') console.log('reachable until', window.until.toISOString());
 * ```
 * @category Command window
 */
export function commandWindow(source: CommandWindowSource): CommandWindow {
  const { ttd } = source;
  if (ttd === -1) return UNTIL_FURTHER_NOTICE;
  if (ttd === undefined || ttd <= 0) return CLOSED;
  return { kind: CommandWindowKind.Until, until: new Date(source.creationTime.getTime() + ttd * 1000) };
}

/**
 * Tells whether the device can receive a command at a given moment, as Hono's Java API does: `ttd` `-1`
 * yes; `ttd` `0` or absent no; otherwise yes while `now < creationTime + ttd` seconds.
 *
 * @param source - A decoded event, or anything with `creationTime` and `ttd`.
 * @param now - The moment to ask about, as a Date or ms since the Unix epoch.
 *   Defaults to the current time.
 * @returns `true` if the device is reachable at `now`.
 * @example
 * ```ts
 * if (event.type === 'emptyNotification' && isDeviceReachable(event)) await sendCommand(event.deviceId);
 * ```
 * @category Command window
 */
export function isDeviceReachable(source: CommandWindowSource, now: Date | number = Date.now()): boolean {
  const { ttd } = source;
  if (ttd === -1) return true;
  if (ttd === undefined || ttd <= 0) return false;
  return toMs(now) < source.creationTime.getTime() + ttd * 1000;
}

/**
 * How long the device stays reachable from a given moment: a timeout for a command sent now, as Hono's
 * example application uses it.
 *
 * @param source - A decoded event, or anything with `creationTime` and `ttd`.
 * @param now - The moment to measure from, as a Date or ms since the Unix epoch.
 *   Defaults to the current time.
 * @returns The remaining ms: `Infinity` for `ttd` `-1`, `0` when the window is closed or over.
 * @example
 * ```ts
 * const remaining = remainingCommandWindow(event);
 * if (remaining > 0) await sendCommand(event.deviceId, { timeoutMs: Math.min(remaining, 10_000) });
 * ```
 * @category Command window
 */
export function remainingCommandWindow(source: CommandWindowSource, now: Date | number = Date.now()): number {
  const { ttd } = source;
  if (ttd === -1) return Infinity;
  if (ttd === undefined || ttd <= 0) return 0;
  return Math.max(0, source.creationTime.getTime() + ttd * 1000 - toMs(now));
}

/**
 * When a message expires: `creationTime + ttl`, or `undefined` when it has no `ttl`.
 *
 * @param source - A decoded event, or anything with `creationTime` and `ttl`.
 * @returns The last moment at which the message is still valid, or `undefined`.
 * @example
 * ```ts
 * expiresAt({ creationTime: new Date('2025-01-01T00:00:00Z'), ttl: 60_000 }); // 2025-01-01T00:01:00.000Z
 * ```
 * @category Command window
 */
export function expiresAt(source: ExpirySource): Date | undefined {
  return source.ttl === undefined ? undefined : new Date(source.creationTime.getTime() + source.ttl);
}

/**
 * Tells whether a message has expired, as Hono's code decides it: expired when
 * `creationTime + ttl < now`. (The sentence in Hono's Telemetry API spec has the comparison inverted; the
 * code is as here.) A message without `ttl` never expires. Hono's own consumer skips expired records and
 * still commits them.
 *
 * @param source - A decoded event, or anything with `creationTime` and `ttl`.
 * @param now - The moment to ask about, as a Date or ms since the Unix epoch.
 *   Defaults to the current time.
 * @returns `true` if the message has expired at `now`.
 * @example
 * ```ts
 * const event = decodeEvent(record);
 * if (!isExpired(event)) await handle(event);
 * ```
 * @category Command window
 */
export function isExpired(source: ExpirySource, now: Date | number = Date.now()): boolean {
  return source.ttl !== undefined && source.creationTime.getTime() + source.ttl < toMs(now);
}
