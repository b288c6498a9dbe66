import { API_ERRORS, type Policy } from '@trellis/contracts';
import { ApiError } from '../http/api-error.js';

/** A write based on a version that is no longer current; `details` has the current policy. */
export class VersionConflictError extends ApiError {
  constructor(current: Policy, baseVersion: number, options?: { cause?: unknown }) {
    super(
      API_ERRORS.versionConflict,
      `policy of ${current.service} is at version ${current.version}, not ${baseVersion}: reload it and apply the change again`,
      { currentVersion: current.version, policy: current },
      options,
    );
  }
}

export class RevisionNotFoundError extends ApiError {
  constructor(service: string, version: number) {
    super(API_ERRORS.revisionNotFound, `policy of ${service} has no version ${version}`);
  }
}
