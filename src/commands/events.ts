/**
 * The events of a {@link HonoCommandClient}. Listeners observe; an exception thrown by a listener is
 * logged, not propagated.
 */
import type { DecodeError, KafkaClientError } from '../errors.js';

/**
 * The events of a {@link HonoCommandClient}, each with its listener's arguments.
 *
 * @category Commands
 */
export interface HonoCommandClientEvents {
  /**
   * A failure of the Kafka clients (the producer or a response reader): brokers down, a refused login,
   * a fatal error. Calls under way fail on their own with a {@link CommandError}; this event is for
   * monitoring. The logger gets it too.
   *
   * @param error - the failure, with the client's error as `cause`
   */
  error: (error: KafkaClientError) => void;
  /**
   * A record on `hono.command_response.<tenant>` that is no valid command response: no
   * `correlation-id`, no `status` or a bad one, a broken delivery-failure body. The reader goes on. If
   * its `correlationId` is that of a pending request, that request rejects with this error. Every client
   * reading the tenant's responses reports it, also those that did not send the command.
   *
   * @param error - why it did not decode; `error.record` is the record as read
   */
  invalidResponse: (error: DecodeError) => void;
}
