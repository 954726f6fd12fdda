import { bootSubgraph } from '@attention-mesh/platform';
import { usersSubgraph } from './server.js';

await bootSubgraph(usersSubgraph, process.env);
