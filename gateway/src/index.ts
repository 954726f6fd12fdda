import { bootGateway } from './workers/bootGateway.js';

await bootGateway(process.env);
