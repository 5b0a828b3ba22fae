// The architecture as rules: `npm run check:deps` (dependency-cruiser) fails on any import that breaks
// one. Type-only imports count too (tsPreCompilationDeps): a cycle of types is still a cycle to a reader.

/** The engine and everything that knows about the consumer; the pure layers must not depend on it. */
const CONSUMER =
  '^src/(consumer[.]ts$|consumer/|consumer-events[.]ts$|processing/|handlers[.]ts$|options[.]ts$|cli/)';

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
