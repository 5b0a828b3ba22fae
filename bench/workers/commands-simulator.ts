/**
 * Worker: the Hono simulator in a process of its own, so that it does not share the measured client's
 * event loop. Its devices are connected with `ttd` -1 and answer every command at once with status 200.
 * It prints `ready` once its group owns the command topic's partitions, and ends after it handled
 * `expected` commands, or when none came for `idleMs` after the first, or after `maxSeconds`.
 */
import type * as Testing from '../../src/testing/index.js';
import { processFigures, report } from '../lib/child.js';
import { quietLogger } from '../lib/sdk.js';

/** One simulator run. */
export interface SimulatorRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly devices: number;
  readonly expected: number;
  readonly idleMs: number;
  readonly maxSeconds: number;
}

/** What the simulator did. */
export interface SimulatorResult {
  readonly handled: number;
  readonly answered: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as SimulatorRun;
const entry = new URL('../../dist/testing/index.js', import.meta.url).href;
const { HonoSimulator } = (await import(entry)) as typeof Testing;
const simulator = new HonoSimulator({ brokers: config.brokers, logger: quietLogger });
for (let device = 0; device < config.devices; device++) {
  await simulator.device(config.tenant, `device-${String(device).padStart(4, '0')}`).connect({ ttd: -1 });
}
let handled = 0;
let answered = 0;
let finish: () => void = () => undefined;
const done = new Promise<void>((resolve) => {
  finish = resolve;
});
let idle: NodeJS.Timeout | undefined;
simulator.on('command', (command) => {
  handled += 1;
  if (command.outcome === 'answered') answered += 1;
  clearTimeout(idle);
  idle = setTimeout(finish, config.idleMs);
  if (handled >= config.expected) finish();
});
await simulator.answerCommands(config.tenant, () => ({ status: 200 }));
process.stdout.write('ready\n');
const lifetime = setTimeout(finish, config.maxSeconds * 1000);
await done;
clearTimeout(idle);
clearTimeout(lifetime);
const figures = processFigures();
await simulator.close();
const result: SimulatorResult = { handled, answered, ...figures };
report(result);
process.exit(0);
