export * from './control-plane.js';
export * from './metrics.js';
export * from './policy.js';
export * from './metrics-api.js';
export * from './access-api.js';
export * from './policy-api.js';
export * from './data-plane-api.js';
export * from './health-api.js';
