import { type FSWatcher, readFileSync, watch } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@attention-mesh/platform';

/** The access-control features the gateway enforces itself (see `plugins/useAccessControl.ts`). */
const SECURITY_LINK =
  /@link\((?=[^)]*url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v[0-9.]+")([^)]*)\)/g;

/**
 * The supergraph as @apollo/gateway 2.14 accepts it: it refuses a supergraph whose links to
 * authenticated, requiresScopes or policy say `for: SECURITY` ("… is for: SECURITY but is
 * unsupported"), so those three links lose their purpose; every other link (inaccessible's included)
 * is kept as is. The directives stay in the document, where the gateway reads its rules.
 */
export function forApolloGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(
    SECURITY_LINK,
    (_link, args: string) => `@link(${args.replace(/,\s*for:\s*SECURITY\b|\bfor:\s*SECURITY\s*,\s*/, '')})`,
  );
}

/** A subgraph's URL as the supergraph lists it (`join__Graph` values' `@join__graph(name, url)`). */
export function subgraphUrlOf(supergraphSdl: string, name: string): string | undefined {
  const escaped = name.replace(/[^A-Za-z0-9_-]/g, '');
  return new RegExp(`@join__graph\\(name: "${escaped}", url: "([^"]*)"\\)`).exec(supergraphSdl)?.[1];
}

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
            update(forApolloGateway(next));
            last = next;
            logger.info({ file }, 'supergraph reloaded');
          } catch (err) {
            logger.error({ err, file }, 'supergraph reload failed; keeping the running schema');
          }
        }, 150);
      });
    }
    return {
      supergraphSdl: forApolloGateway(last),
      async cleanup() {
        clearTimeout(timer);
        watcher?.close();
      },
    };
  };
}
