import { type FSWatcher, readFileSync, watch } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@attention-mesh/platform';

/**
 * Serves the checked-in supergraph; with `watchFile`, a changed file is loaded again (an invalid one
 * is logged and the running schema kept).
 */
export function staticSupergraph(file: string, watchFile: boolean, logger: Logger): SupergraphSdlHook {
  return async ({ update }) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let last = readFileSync(file, 'utf8');
    if (watchFile) {
      watcher = watch(file, () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          try {
            const next = readFileSync(file, 'utf8');
            if (next === last) return;
            update(next);
            last = next;
            logger.info({ file }, 'supergraph reloaded');
          } catch (err) {
            logger.error({ err, file }, 'supergraph reload failed; keeping the running schema');
          }
        }, 150);
      });
    }
    return {
      supergraphSdl: last,
      async cleanup() {
        clearTimeout(timer);
        watcher?.close();
      },
    };
  };
}
