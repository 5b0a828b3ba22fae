/**
 * Every throughput contender by name, in the order the table shows them. Each is imported only in the
 * process that measures it, so no process carries another library's modules in its memory.
 */
import type { Contender } from './contender.js';

export const contenderNames = [
  'raw',
  'confluent-kafkajs',
  'kafkajs',
  'platformatic',
  'sdk-partition',
  'sdk-device',
  'sdk-none',
] as const;

/** A contender's name. */
export type ContenderName = (typeof contenderNames)[number];

/** What the table calls each contender. */
export const contenderLabels: Readonly<Record<ContenderName, string>> = {
  raw: 'raw KafkaConsumer loop (ceiling)',
  'confluent-kafkajs': 'client .KafkaJS API, eachBatch',
  kafkajs: 'KafkaJS 2.2, eachBatch',
  platformatic: '@platformatic/kafka 1.35, stream',
  'sdk-partition': 'SDK, ordering partition',
  'sdk-device': 'SDK, ordering device',
  'sdk-none': 'SDK, ordering none',
};

/** Imports one contender. */
export async function loadContender(name: ContenderName): Promise<Contender> {
  switch (name) {
    case 'raw':
      return (await import('./raw.js')).raw;
    case 'confluent-kafkajs':
      return (await import('./confluent-kafkajs.js')).confluentKafkaJs;
    case 'kafkajs':
      return (await import('./kafkajs.js')).kafkaJs;
    case 'platformatic':
      return (await import('./platformatic.js')).platformatic;
    case 'sdk-partition':
      return (await import('./sdk.js')).sdk('partition');
    case 'sdk-device':
      return (await import('./sdk.js')).sdk('device');
    case 'sdk-none':
      return (await import('./sdk.js')).sdk('none');
  }
}
