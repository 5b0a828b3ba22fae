/**
 * The command client's `command:sent` and `command:response` diagnostics channels: nothing is built
 * while neither has subscribers.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type HonoKafkaError, isHonoKafkaError } from '../errors.js';
import { commandTopic } from '../tenant.js';
import { type CommandResponseMessage, type CommandSentMessage, channels } from './channels.js';
import { type CommandObserver, commandOutcome } from './command-observation.js';

/** The error of a failed call as the SDK's error type, if it is one (else undefined). */
function sdkError(error: unknown): HonoKafkaError | undefined {
  return isHonoKafkaError(error) ? error : undefined;
}

/**
 * The observer that publishes to the `command:sent` and `command:response` diagnostics channels.
 */
export const commandDiagnostics: CommandObserver = {
  started(kind, tenantId, deviceId, name, correlationId) {
    if (!channels.commandSent.hasSubscribers && !channels.commandResponse.hasSubscribers) return undefined;
    const startedAt = performance.now();
    let sent = false;
    const subject = { kind, tenantId, deviceId, name, correlationId };
    const publishSent = (error: HonoKafkaError | undefined): void => {
      sent = true;
      if (!channels.commandSent.hasSubscribers) return;
      const message: CommandSentMessage = {
        ...subject,
        topic: commandTopic(tenantId),
        durationMs: performance.now() - startedAt,
        error,
      };
      channels.commandSent.publish(message);
    };
    return {
      traceparent: undefined,
      tracestate: undefined,
      acknowledged() {
        if (!sent) publishSent(undefined);
      },
      responseRead: () => undefined,
      ended(result) {
        // A call that ends before its acknowledgement was not sent (or not known to be).
        if (!sent) publishSent(result.failed ? sdkError(result.error) : undefined);
        if (kind !== 'request' || !channels.commandResponse.hasSubscribers) return;
        const outcome = commandOutcome(result);
        const message: CommandResponseMessage = {
          ...subject,
          outcome: outcome === 'acknowledged' ? 'error' : outcome,
          status: result.failed ? undefined : result.response?.status,
          durationMs: performance.now() - startedAt,
          error: result.failed ? result.error : undefined,
        };
        channels.commandResponse.publish(message);
      },
    };
  },
};
