import { bootSubgraph } from '@attention-mesh/platform';
import { attentionSubgraph } from './server.js';

await bootSubgraph(attentionSubgraph, process.env);
