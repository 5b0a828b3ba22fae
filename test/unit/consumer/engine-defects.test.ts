/**
 * The defects of issue 12, each as a short command sequence run by the consumer model (see
 * `test/unit/fakes/consumer-model.ts`) against the real consumer and a fake Kafka client. Those still
 * open are marked `it.fails`: remove `.fails` when the defect is fixed (the test then has to pass).
 */
import { describe, it } from 'vitest';
import { baseConfig, runSteps, step } from '../fakes/consumer-model.js';

describe('issue 12', () => {
  it('defect 1: a healthy partition keeps flowing while devices of others fail', async () => {
    await runSteps({ ...baseConfig, concurrency: 2, devices: { a: 0, b: 1, c: 2 } }, [
      step.behave('a', 'failing'),
      step.behave('b', 'failing'),
      step.produce('a'),
      step.produce('b'),
      step.rebalance('assign', [0, 1, 2]),
      step.advance(500),
      step.produce('c', 3),
      step.settle(),
    ]);
  });

  it('defect 2: a record failing for good in partition mode stalls no other partition', async () => {
    await runSteps({ ...baseConfig, ordering: 'partition', maxInFlight: 4, devices: { a: 0, c: 2 } }, [
      step.behave('a', 'failing'),
      step.produce('a', 6),
      step.rebalance('assign', [0, 2]),
      step.advance(2_000),
      step.produce('c', 2),
      step.settle(),
    ]);
  });

  it('defect 3: no later record of a device runs after its earlier one was abandoned', async () => {
    await runSteps(baseConfig, [
      step.behave('a', 'failing'),
      step.produce('a', 2),
      step.rebalance('assign', [0]),
      step.advance(500),
      step.rebalance('revoke', [0]),
      step.advance(500),
    ]);
  });

  it('defect 4: no two calls of a device overlap when one ignores its signal', async () => {
    await runSteps(baseConfig, [
      step.behave('a', 'hanging'),
      step.produce('a'),
      step.rebalance('assign', [0]),
      step.advance(500),
    ]);
  });

  it('defect 4: nothing is committed past a call that has not settled', async () => {
    await runSteps({ ...baseConfig, onFailure: 'skip' }, [
      step.behave('a', 'hanging'),
      step.produce('a'),
      step.rebalance('assign', [0]),
      step.advance(600),
    ]);
  });

  it('defect 5: a partition stays paused for failure while any of its records fails', async () => {
    await runSteps(baseConfig, [
      step.behave('a', 'failing'),
      step.behave('b', 'failing'),
      step.produce('a'),
      step.produce('b'),
      step.rebalance('assign', [0]),
      step.advance(500),
      step.behave('a', 'ok'),
      step.advance(300),
      step.produce('a'),
      step.advance(300),
      step.behave('b', 'ok'),
      step.settle(),
    ]);
  });

  it('defect 6: a slow record does not let its partition fetch without bound', async () => {
    await runSteps({ ...baseConfig, handlerTimeoutMs: 5_000, slowMs: 3_000, replayBound: 16 }, [
      step.behave('a', 'slow'),
      step.produce('a'),
      step.produce('b', 40),
      step.rebalance('assign', [0]),
      step.advance(1_000),
    ]);
  });
});
