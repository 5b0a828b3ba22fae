/**
 * What the `tenants-sigkill` scenario and its consumer processes share: the configuration (JSON in
 * `CHAOS_CONFIG`) and the ledger lines, which name the topic as well as the partition because the
 * consumer reads the event and telemetry topics of every tenant.
 */

/** How one consumer process of the scenario runs. */
export interface TenantsConsumerConfig {
  readonly brokers: string;
  readonly groupId: string;
  /** Only tenants whose id starts with this are ledgered; other tenants' records are read and dropped. */
  readonly tenantPrefix: string;
  readonly ledgerDir: string;
  readonly label: string;
  readonly concurrency: number;
  /** The handler's work: 0 to this many ms, at random. */
  readonly handlerMaxMs: number;
  readonly commitIntervalMs: number;
  readonly maxUncommitted: number;
  /** librdkafka settings passed through the SDK's `kafka` option. */
  readonly kafka: Readonly<Record<string, string | number | boolean>>;
}

/** The payload of every produced record: its index in its tenant's stream, which names it. */
export interface TenantsPayload {
  readonly index: number;
}

/** A handled record: `handled topic partition offset id qos pid time`. */
export interface TenantsHandled {
  readonly kind: 'handled';
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** `<tenant>/<index>`. */
  readonly id: string;
  readonly qos: number;
  readonly pid: number;
  readonly at: number;
}

/** A position the broker confirmed: `commit topic partition offset pid time`. */
export interface TenantsCommit {
  readonly kind: 'commit';
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly pid: number;
  readonly at: number;
}

export type TenantsEntry = TenantsHandled | TenantsCommit;

/** A record's identity: its tenant and its index in that tenant's stream. */
export function tenantsRecordId(tenant: string, index: number): string {
  return `${tenant}/${String(index)}`;
}

/** One ledger line, newline included. */
export function formatTenantsEntry(entry: TenantsEntry): string {
  const at = entry.at.toFixed(3);
  const { topic, partition, offset, pid } = entry;
  return entry.kind === 'commit'
    ? `commit ${topic} ${String(partition)} ${String(offset)} ${String(pid)} ${at}\n`
    : `handled ${topic} ${String(partition)} ${String(offset)} ${entry.id} ${String(entry.qos)} ${String(pid)} ${at}\n`;
}

/** Parses a ledger's text; a torn last line (a SIGKILL during write) is ignored. */
export function parseTenantsLedger(text: string): TenantsEntry[] {
  const entries: TenantsEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields[0] === 'commit' && fields.length === 6) {
      const [, topic = '', ...rest] = fields;
      const [partition, offset, pid, at] = rest.map(Number) as [number, number, number, number];
      if ([partition, offset, pid, at].some(Number.isNaN)) continue;
      entries.push({ kind: 'commit', topic, partition, offset, pid, at });
    } else if (fields[0] === 'handled' && fields.length === 8) {
      const [, topic = '', partitionText, offsetText, id = '', qosText, pidText, atText] = fields;
      const [partition, offset, qos, pid, at] = [partitionText, offsetText, qosText, pidText, atText].map(
        Number,
      ) as [number, number, number, number, number];
      if ([partition, offset, qos, pid, at].some(Number.isNaN)) continue;
      entries.push({ kind: 'handled', topic, partition, offset, id, qos, pid, at });
    }
  }
  return entries;
}
