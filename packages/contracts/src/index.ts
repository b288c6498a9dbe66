export * from './api-error.js';
export * from './auth-api.js';
export * from './control-plane.js';
export * from './events.js';
export * from './metrics.js';
export * from './policy-api.js';
export * from './policy.js';
export * from './registry-api.js';
