import { runUntilSignal } from '@attention-mesh/platform';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';

runUntilSignal(await startGateway(loadGatewayConfig(process.env)));
