import { type Connection, paginateById } from '@attention-mesh/platform';
import type { ApiKeyDoc } from '../models/ApiKey.js';
import type { UsersRuntime } from '../runtime.js';
import { checkPartnerId } from './apiKeyInput.js';
import { type ApiKeyView, apiKeyView } from './apiKeyView.js';

/** Keys in creation order (ids sort by creation time), of one partner when given; never a hash. */
export async function listApiKeys(
  runtime: UsersRuntime,
  args: { partnerId?: string | null; first: number; after?: string | null },
): Promise<Connection<ApiKeyView>> {
  const filter = args.partnerId != null ? { partnerId: checkPartnerId(args.partnerId, 'partnerId') } : {};
  const page = await paginateById<ApiKeyDoc>(runtime.ApiKey, filter, {
    first: args.first,
    after: args.after,
  });
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: apiKeyView(e.node) })) };
}
