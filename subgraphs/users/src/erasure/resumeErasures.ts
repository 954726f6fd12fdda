import type { EventBus, Logger } from '@attention-mesh/platform';
import type { ErasureDoc } from '../models/Erasure.js';
import type { UsersRuntime } from '../runtime.js';
import { publishErasure } from './eraseUser.js';
import { finishErasure } from './recordCompletion.js';

/**
 * Start-up recovery: erasures not yet announced (a crash between the write and the publish) are
 * published, and erasures every service finished but not yet completed are completed. A scan of the
 * erasures in progress (a batch job, not a request path).
 */
export async function resumeErasures(
  runtime: UsersRuntime,
  events: EventBus,
  logger: Logger,
): Promise<number> {
  const open = await runtime.Erasure.find({ completedAt: null }).lean<ErasureDoc[]>();
  for (const doc of open) {
    if (doc.publishedAt === null) await publishErasure(runtime, events, doc);
    else await finishErasure(runtime, events, doc);
  }
  if (open.length > 0) logger.info({ erasures: open.length }, 'erasures in progress resumed');
  return open.length;
}
