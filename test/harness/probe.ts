/**
 * Asks a cluster for its metadata with a real Kafka client: the harness's definition of "ready".
 */
import kafka from '@confluentinc/kafka-javascript';

/**
 * One metadata request through librdkafka.
 *
 * @param bootstrapServers - comma-separated `host:port` list
 * @param timeoutMs - how long the request may take
 * @param config - extra client settings (SASL credentials, say)
 * @returns the ids of the brokers the cluster reports
 * @throws the client's error when no broker answers within the timeout
 */
export async function fetchBrokerIds(
  bootstrapServers: string,
  timeoutMs: number,
  config: Readonly<Record<string, string | number>> = {},
): Promise<number[]> {
  const producer = new kafka.Producer({
    'bootstrap.servers': bootstrapServers,
    'client.id': 'eclipse-hono-kafka-harness-probe',
    'socket.connection.setup.timeout.ms': Math.max(1000, timeoutMs),
    'reconnect.backoff.max.ms': 200,
    ...config,
  });
  // The probe reports failures through its promise; without a listener the client would log them.
  producer.on('event.error', () => undefined);
  try {
    const metadata = await new Promise<kafka.Metadata>((resolve, reject) => {
      // The client's types say the error is always present; at run time it is null or undefined on success.
      producer.connect({ timeout: timeoutMs }, (error: kafka.LibrdKafkaError | null | undefined, data) => {
        if (error === null || error === undefined) resolve(data);
        else reject(error instanceof Error ? error : new Error(error.message));
      });
    });
    return metadata.brokers.map((broker) => broker.id).sort((a, b) => a - b);
  } finally {
    if (producer.isConnected()) {
      await new Promise<void>((resolve) =>
        producer.disconnect(() => {
          resolve();
        }),
      );
    }
  }
}

/**
 * Polls metadata until the wanted brokers are all reported, or gives up.
 *
 * @param bootstrapServers - comma-separated `host:port` list
 * @param want - broker ids that must all be present
 * @param deadline - `Date.now()` value after which to give up
 * @param abort - rejects early (a JVM exited, say)
 * @returns when every wanted broker is in the metadata
 * @throws Error naming the last failure when the deadline passes
 */
export async function waitForBrokers(
  bootstrapServers: string,
  want: readonly number[],
  deadline: number,
  abort: Promise<never>,
): Promise<void> {
  let last = 'no answer yet';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new Error(`brokers ${want.join(',')} not ready at ${bootstrapServers}: ${last}`);
    try {
      const ids = await Promise.race([fetchBrokerIds(bootstrapServers, Math.min(3000, remaining)), abort]);
      if (want.every((id) => ids.includes(id))) return;
      last = `metadata lists brokers [${ids.join(',')}]`;
    } catch (error) {
      if (error instanceof HarnessAbort) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 200)), abort]);
  }
}

/** Raised through the `abort` promise of {@link waitForBrokers}. */
export class HarnessAbort extends Error {
  override name = 'HarnessAbort';
}
