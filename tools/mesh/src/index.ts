export { CATEGORIES, type DemoWorld, demoWorld } from './demoWorld.js';
export { seedIfEmpty } from './seed.js';
