import { bootSubgraph } from '@attention-mesh/platform';
import { adsSubgraph } from './server.js';

await bootSubgraph(adsSubgraph, process.env);
