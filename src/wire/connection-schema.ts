/**
 * The zod schema of a connection event's JSON value.
 *
 * @module
 */
import { z } from 'zod';

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON object in the value of a connection event: `cause`, `remote-id`, `source` required, `data`
 * optional. Unknown fields are ignored, so that fields added by later Hono versions do not break
 * decoding. `data` is kept as parsed (not copied), so that no key of it is lost.
 */
export const connectionPayloadSchema = z.object({
  cause: z.enum(['connected', 'disconnected']),
  'remote-id': z.string(),
  source: z.string(),
  data: z.custom<Record<string, unknown>>(isJsonObject, 'Invalid input: expected object').optional(),
});

/** A valid connection event payload, as the schema outputs it. */
export type ConnectionPayload = z.infer<typeof connectionPayloadSchema>;
