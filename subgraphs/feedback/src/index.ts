import { bootSubgraph } from '@attention-mesh/platform';
import { feedbackSubgraph } from './server.js';

await bootSubgraph(feedbackSubgraph, process.env);
