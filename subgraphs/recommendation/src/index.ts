import { bootSubgraph } from '@attention-mesh/platform';
import { recommendationSubgraph } from './server.js';

await bootSubgraph(recommendationSubgraph, process.env);
