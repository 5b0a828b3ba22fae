/**
 * `combineObservers`: one observer that tells several, and costs nothing per record while none watches
 * handler calls.
 */
import { describe, expect, it } from 'vitest';
import {
  combineObservers,
  type EngineObserver,
  type HandlerObservation,
  noObserver,
} from '../../../src/engine/observer.js';
import { itemOf } from '../processing/work-items.js';

/** An observer that watches handler calls and writes what happens to `log`. */
function watching(name: string, log: string[]): EngineObserver {
  return {
    ...noObserver,
    handlerStarted: (): HandlerObservation => ({
      run: (call) => {
        log.push(`${name} in`);
        const result = call();
        log.push(`${name} out`);
        return result;
      },
      end: (error) => log.push(`${name} end ${error === undefined ? 'ok' : error.code}`),
    }),
    fetched: (messages) => log.push(`${name} fetched ${String(messages.length)}`),
    close: () => log.push(`${name} closed`),
  };
}

describe('combineObservers', () => {
  const item = itemOf({ type: 'emptyNotification', tenantId: 'DEFAULT_TENANT', deviceId: 'd' });

  it('is the no-op observer for none, and the one observer for one', () => {
    expect(combineObservers([])).toBe(noObserver);
    const one = watching('a', []);
    expect(combineObservers([one])).toBe(one);
  });

  it('gives no observation when no observer watches handler calls', () => {
    expect(combineObservers([noObserver, noObserver]).handlerStarted(item, 1)).toBeUndefined();
  });

  it('runs the call inside every observation, the first outermost, and tells each the rest', () => {
    const log: string[] = [];
    const combined = combineObservers([watching('a', log), noObserver, watching('b', log)]);
    const observation = combined.handlerStarted(item, 1);
    expect(observation?.run(() => log.push('call'))).toBe(3);
    observation?.end(undefined);
    combined.fetched([]);
    combined.close?.();
    expect(log).toStrictEqual([
      'a in',
      'b in',
      'call',
      'b out',
      'a out',
      'a end ok',
      'b end ok',
      'a fetched 0',
      'b fetched 0',
      'a closed',
      'b closed',
    ]);
  });
});
