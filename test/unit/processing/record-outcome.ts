/**
 * The tests' view of `handleRecord`: a record's outcome as a value when it was known at once, else as a
 * promise.
 */
import { handleRecord, type Outcome, type ProcessorContext } from '../../../src/processing/process-record.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import type { Slot } from '../../../src/scheduling/keyed-scheduler.js';

/**
 * Processes one record to its outcome.
 *
 * @param item - the record
 * @param context - the consumer's side
 * @param slot - the record's concurrency slot, if any
 * @returns `done` or `abandoned`; a promise of it when not known at once
 */
export function processRecord(
  item: WorkItem,
  context: ProcessorContext,
  slot?: Slot,
): Outcome | Promise<Outcome> {
  let outcome: Outcome | undefined;
  let resolveLater: ((outcome: Outcome) => void) | undefined;
  handleRecord(item, context, slot, (reached) => {
    if (resolveLater === undefined) outcome = reached;
    else resolveLater(reached);
  });
  if (outcome !== undefined) return outcome;
  return new Promise((resolve) => {
    resolveLater = resolve;
  });
}
