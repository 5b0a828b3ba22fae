/**
 * The chaos scenarios: what each breaks, and what its verdict must show.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaCluster } from '../test/harness/kafka-cluster.js';
import type { Fleet } from './fleet.js';
import type { ConsumerConfig } from './protocol.js';

/** What a scenario's `act` can use while records are produced and consumed. */
export interface ScenarioContext {
  readonly cluster: KafkaCluster;
  readonly fleet: Fleet;
  /** Resolves once this share of the produced records is in the ledgers. */
  readonly progress: (share: number) => Promise<void>;
  readonly log: (line: string) => void;
  /** The `--short` (CI) size. */
  readonly short: boolean;
  /** Times (ms since the epoch) the act records for the verdict, e.g. `outageFrom`, `outageUntil`. */
  readonly marks: Record<string, number>;
}

/** How duplicates are judged. */
export type DuplicateRule =
  /** Must be 0. */
  | 'zero'
  /** At most the uncommitted ledgered records of the SIGKILLed processes. */
  | 'bounded'
  /** Must be 0 unless a consumer reported a lost partition; then reported. */
  | 'zeroUnlessLost';

export interface Scenario {
  readonly name: string;
  /** One line for the docs: what the scenario proves. */
  readonly proves: string;
  /** Consumers at the start. */
  readonly consumers: number;
  readonly failFirstRate?: number;
  /** Delay before a failed handler's first retry. @defaultValue 50 */
  readonly retryDelayMs?: number;
  /** One malformed record after every this many events. */
  readonly malformedEvery?: number;
  /** This many records take `slowMs` in their handler. */
  readonly slow?: { readonly records: number; readonly ms: number };
  /** Consumer settings that differ from the suite's defaults, and the faults they inject. */
  readonly consumer?: Partial<
    Pick<
      ConsumerConfig,
      | 'ordering'
      | 'concurrency'
      | 'maxAttempts'
      | 'onFailure'
      | 'handlerTimeoutMs'
      | 'failingEvery'
      | 'poison'
    >
  >;
  /** No two calls of one device may overlap (the consumers' `overlap` marks must be 0). */
  readonly checkOverlap?: boolean;
  /** Exactly this many records must be skipped (and they count as accounted for, not lost). */
  readonly skipped?: number;
  /** At least this many calls must have run past their timeout (the fault happened). */
  readonly late?: number;
  /** Extra figures for the verdict line. */
  readonly figures?: 'outageThroughput' | 'poisonIsolation';
  /** Extra librdkafka settings for the consumers. */
  readonly kafka?: Readonly<Record<string, string | number | boolean>>;
  readonly duplicates: DuplicateRule;
  /** Per-device order must hold (device mode, no crash). */
  readonly checkOrder: boolean;
  /** No consumer may report a lost partition. */
  readonly noLostPartitions?: boolean;
  /** In the `--short` run. */
  readonly short: boolean;
  readonly act: (context: ScenarioContext) => Promise<void>;
}

export const scenarios: readonly Scenario[] = [
  {
    name: 'sigkill-consumer',
    proves: 'a consumer SIGKILLed mid-batch loses nothing; its duplicates stay within its uncommitted work',
    consumers: 3,
    duplicates: 'bounded',
    checkOrder: false,
    short: true,
    act: async ({ fleet, progress, log }) => {
      await progress(0.35);
      const victim = fleet.running[1];
      if (victim === undefined) throw new Error('no consumer to kill');
      log(`SIGKILL ${victim.label} (pid ${victim.pid})`);
      await victim.kill();
      await sleep(1000);
      const replacement = await fleet.start();
      log(`restarted as ${replacement.label} (pid ${replacement.pid})`);
    },
  },
  {
    name: 'scale-1-3-1',
    proves:
      'adding and removing consumers (clean cooperative rebalances) loses nothing, duplicates nothing, keeps order',
    consumers: 1,
    duplicates: 'zero',
    checkOrder: true,
    short: true,
    act: async ({ fleet, progress, log }) => {
      await progress(0.2);
      log('scale to 3');
      await Promise.all([fleet.start(), fleet.start()]);
      await progress(0.6);
      log('scale to 1 (SIGTERM)');
      await Promise.all(fleet.members.slice(1).map((member) => member.terminate()));
    },
  },
  {
    name: 'sigkill-broker',
    proves: 'a SIGKILLed broker (RF 3, min ISR 2) and its restart lose nothing',
    consumers: 3,
    duplicates: 'zeroUnlessLost',
    checkOrder: true,
    short: false,
    act: async ({ cluster, progress, log }) => {
      await progress(0.3);
      log('SIGKILL broker 2');
      await cluster.killNode(2);
      await sleep(8000);
      log('restart broker 2');
      await cluster.restartNode(2);
    },
  },
  {
    name: 'rolling-sigterm',
    proves: 'a rolling restart of every consumer with SIGTERM loses nothing, duplicates nothing, keeps order',
    consumers: 3,
    duplicates: 'zero',
    checkOrder: true,
    short: true,
    act: async ({ fleet, progress, log }) => {
      const originals = [...fleet.members];
      for (const [index, member] of originals.entries()) {
        await progress(0.15 + index * 0.2);
        log(`SIGTERM ${member.label}`);
        const code = await member.terminate();
        if (code !== 0) throw new Error(`${member.label} exited with ${code} after SIGTERM`);
        const replacement = await fleet.start();
        log(`replaced by ${replacement.label}`);
      }
    },
  },
  {
    name: 'sigterm-during-join',
    proves:
      'a consumer SIGTERMed while new members join (a rebalance under way) commits its work before it leaves',
    consumers: 1,
    duplicates: 'zero',
    checkOrder: true,
    short: true,
    act: async ({ fleet, progress, log }) => {
      await progress(0.4);
      const [first] = fleet.members;
      if (first === undefined) throw new Error('no consumer');
      log('2 consumers join; SIGTERM c1 as soon as it gives up its first partitions');
      const revoked = first.next('revoked');
      await Promise.all([fleet.start(), fleet.start()]);
      await revoked;
      const code = await first.terminate();
      if (code !== 0) throw new Error(`c1 exited with ${code} after SIGTERM`);
    },
  },
  {
    name: 'throw-first-attempt',
    proves:
      'handlers that throw on 1% of records (first attempt) are retried: nothing lost or duplicated, order kept',
    consumers: 3,
    failFirstRate: 0.01,
    duplicates: 'zero',
    checkOrder: true,
    short: true,
    act: () => Promise.resolve(),
  },
  {
    name: 'retry-during-rebalance',
    proves:
      'a clean rebalance while records wait for their retry duplicates nothing (README: clean rebalances cause no duplicates)',
    consumers: 1,
    failFirstRate: 0.05,
    retryDelayMs: 1000,
    duplicates: 'zero',
    checkOrder: true,
    short: true,
    act: async ({ fleet, progress, log }) => {
      await progress(0.3);
      log('scale to 3 while records wait for their retry');
      await Promise.all([fleet.start(), fleet.start()]);
      await progress(0.7);
      log('scale to 1 (SIGTERM)');
      await Promise.all(fleet.members.slice(1).map((member) => member.terminate()));
    },
  },
  {
    name: 'malformed-records',
    proves: 'malformed records go to the invalid handler and are committed like the others',
    consumers: 3,
    malformedEvery: 50,
    duplicates: 'zero',
    checkOrder: true,
    short: false,
    act: () => Promise.resolve(),
  },
  {
    name: 'slow-handler',
    proves: 'a handler slower than max.poll.interval.ms neither loses the assignment nor causes duplicates',
    consumers: 2,
    slow: { records: 5, ms: 9000 },
    kafka: { 'max.poll.interval.ms': 6000, 'session.timeout.ms': 6000 },
    duplicates: 'zero',
    checkOrder: true,
    noLostPartitions: true,
    short: false,
    act: () => Promise.resolve(),
  },
  {
    name: 'partial-outage',
    proves:
      '10% of devices failing for 20 s (3 s in CI) at concurrency 4 lose nothing, duplicate nothing, keep order; healthy devices keep flowing',
    consumers: 3,
    retryDelayMs: 200,
    consumer: { concurrency: 4, failingEvery: 10, maxAttempts: 1000 },
    duplicates: 'zero',
    checkOrder: true,
    checkOverlap: true,
    figures: 'outageThroughput',
    short: true,
    act: async ({ fleet, progress, log, short, marks }) => {
      // After the start-up rebalances: a revoke during the outage cannot drain a failing device's record
      // within drainTimeoutMs (15 s), and the abandoned partition's finished records are handled again.
      await progress(short ? 0.1 : 0.25);
      log('outage on: device-N with N % 10 === 0 throws');
      marks['outageFrom'] = Date.now();
      fleet.broadcast('outage on');
      await sleep(short ? 3000 : 20_000);
      fleet.broadcast('outage off');
      marks['outageUntil'] = Date.now();
      log('outage off');
    },
  },
  {
    name: 'poison-partition',
    proves:
      "a record that fails for good in 'partition' mode is skipped (accounted, not lost); other partitions go on; order kept",
    consumers: 3,
    consumer: { ordering: 'partition', onFailure: 'skip', poison: 'device-3/1' },
    duplicates: 'zero',
    checkOrder: true,
    checkOverlap: true,
    skipped: 1,
    figures: 'poisonIsolation',
    short: true,
    act: () => Promise.resolve(),
  },
  {
    name: 'handler-ignores-timeout',
    proves:
      'handlers that ignore their signal past handlerTimeoutMs never overlap a later call of their device; nothing lost or duplicated',
    consumers: 2,
    slow: { records: 5, ms: 2500 },
    consumer: { handlerTimeoutMs: 1000 },
    duplicates: 'zero',
    checkOrder: true,
    checkOverlap: true,
    late: 5,
    short: true,
    act: () => Promise.resolve(),
  },
];
