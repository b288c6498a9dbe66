export { buildApp, type AppDependencies, type CollectorApp } from './app.js';
export {
  authenticate,
  createToken,
  listTokens,
  revokeToken,
  type CreatedToken,
  type Principal,
} from './auth/token-store.js';
export { ensureFirstOperatorToken } from './auth/first-start-token.js';
export { loadConfig, parseCommand, type CollectorConfig } from './config.js';
export { ChangeHub } from './discovery/change-hub.js';
export { applyPolicyFile, readPolicyFile } from './policies/policy-file.js';
