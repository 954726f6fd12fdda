export { createDemoApiKey, demoCallers } from './demoAccess.js';
export { CATEGORIES, DEMO_PUBLISHER_ID, type DemoWorld, demoWorld } from './demoWorld.js';
export { type SeedOptions, seedIfEmpty } from './seed.js';
export { parseTokenArgs } from './tokenCli.js';
export { type DevelopmentTokenClaims, signDevelopmentToken } from './tokens.js';
