// The architecture as rules: `npm run check:deps` (dependency-cruiser) fails on any import that breaks
// one. Type-only imports count too (tsPreCompilationDeps): a cycle of types is still a cycle to a reader.

/** The engine and everything that knows about the consumer; the pure layers must not depend on it. */
const CONSUMER = '^src/(consumer/|engine/|processing/|cli/)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module of src/ reaches itself again through its imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'client-library-only-in-kafka',
      comment: 'Only the adapters in src/kafka/ import the Kafka client library; the rest sees the seam.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/kafka/' },
      to: { path: '(^|/)@confluentinc/kafka-javascript($|/)' },
    },
    {
      name: 'engine-sees-only-the-seam',
      comment:
        'The engine receives its clients through src/engine/client.ts; of src/kafka/ it uses only the ' +
        "classification of the client's error codes (failure-codes.ts), never an adapter.",
      severity: 'error',
      from: { path: '^src/(engine|processing)/' },
      to: { path: '^src/kafka/', pathNot: '^src/kafka/failure-codes[.]ts$' },
    },
    {
      name: 'only-the-public-face-picks-the-adapter',
      comment:
        'Only the public classes (consumer, command client, simulator) and the CLI choose the librdkafka ' +
        'adapter; everything else gets clients from whoever made it.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot:
          '^src/(kafka/|consumer/consumer-engine[.]ts$|commands/hono-command-client[.]ts$|testing/hono-simulator[.]ts$|cli/)',
      },
      to: { path: '^src/kafka/rdkafka-' },
    },
    {
      name: 'src-not-to-tooling',
      comment: 'The package never imports its tests, benchmarks, fault injection or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|chaos|scripts)/' },
    },
    {
      name: 'types-is-a-leaf',
      comment:
        'src/types.ts holds the types that several layers share, so it imports nothing of the project.',
      severity: 'error',
      from: { path: '^src/types[.]ts$' },
      to: { pathNot: '(^|/)node_modules/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'errors-import-only-the-leaf',
      comment: 'src/errors.ts is used by every layer, so it imports nothing but src/types.ts.',
      severity: 'error',
      from: { path: '^src/errors[.]ts$' },
      to: { pathNot: '^src/types[.]ts$' },
    },
    {
      name: 'pure-layers-stay-pure',
      comment:
        'Wire format, offsets, scheduling and retry are plain code: no Kafka adapter, no consumer inside.',
      severity: 'error',
      from: { path: '^src/(wire|offsets|scheduling|retry)/' },
      to: { path: ['^src/kafka/', CONSUMER] },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves; an import the cruiser cannot follow would slip past the rules above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
