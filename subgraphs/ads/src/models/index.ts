export * from './campaigns.js';
export * from './ledger.js';
