export * from './control-plane.js';
export * from './metrics.js';
export * from './policy.js';
export * from './metrics-api.js';
