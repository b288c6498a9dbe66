export * from './control-plane.js';
export * from './metrics.js';
export * from './policy.js';
