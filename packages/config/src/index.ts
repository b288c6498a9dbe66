export * from './duration.js';
export * from './flags.js';
