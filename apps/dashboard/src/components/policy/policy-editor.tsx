'use client';

import {
  DEFAULT_ROUTE,
  RETRY_CONDITIONS,
  type Policy,
  type PolicyView,
  type PolicyPreview,
  type PolicySpec,
} from '@trellis/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, useTransition, type ReactNode } from 'react';
import { previewPolicyAction, savePolicyAction, type Conflict } from '../../actions/policy-actions';
import { useLiveView } from '../../live/use-live-view';
import { useViewState } from '../../live/use-view-state';
import {
  draftOf,
  editable,
  specOf,
  type DraftField,
  type FieldErrors,
  type RoutePolicyDraft,
} from '../../policy/route-policy-draft';
import { DiffList } from './diff-list';
import { PreviewResult } from './preview-result';
import { PropagationStatus } from './propagation-status';
import { useLeaveGuard } from './use-leave-guard';

function Field({
  label,
  unit,
  error,
  errorId,
  children,
}: {
  label: string;
  unit?: string;
  error?: string;
  /** The id the input names in `aria-describedby`. */
  errorId?: string;
  children: ReactNode;
}) {
  return (
    <label className="field">
      <span>
        {label}
        {unit && <span className="muted"> ({unit})</span>}
      </span>
      {children}
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </label>
  );
}

/**
 * Timeout, retries and the retry budget of one route, validated as you type by the same schema
 * the collector uses; preview shows what the change would have done to recent traffic.
 */
export function PolicyEditor({
  service,
  route,
  initial,
}: {
  service: string;
  route: string;
  initial: PolicyView;
}) {
  const client = useQueryClient();
  const [base, setBase] = useState<Policy>(initial.policy);
  const [draft, setDraft] = useState<RoutePolicyDraft>(() => draftOf(initial.policy, route));
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<PolicyPreview>();
  const [conflict, setConflict] = useState<Conflict>();
  const [savedVersion, setSavedVersion] = useState<number>();
  const [message, setMessage] = useState<string>();
  const [pending, startTransition] = useTransition();
  const propagating = savedVersion !== undefined;
  const { data: live } = useLiveView('policy', { service }, initial);

  const { spec, errors } = useMemo(() => specOf(base, route, draft), [base, route, draft]);
  const pristine = useMemo(
    () => JSON.stringify(draft) === JSON.stringify(draftOf(base, route)),
    [draft, base, route],
  );

  const shownErrors: FieldErrors = pristine ? {} : errors;
  const { window } = useViewState();
  useLeaveGuard(!pristine && savedVersion === undefined);
  const set = <K extends DraftField>(field: K, value: RoutePolicyDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setPreview(undefined);
    setSavedVersion(undefined);
  };
  const input = (field: Exclude<DraftField, 'on' | 'retryEnabled'>, extra = {}) => ({
    value: draft[field],
    onChange: (event: { target: { value: string } }) => set(field, event.target.value),
    'aria-invalid': Boolean(shownErrors[field]),
    'aria-describedby': shownErrors[field] ? `${field}-error` : undefined,
    inputMode: 'decimal' as const,
    type: 'text',
    name: field,
    ...extra,
  });

  if (!editable(base, route)) {
    return (
      <p className="muted">
        Route <code>{route}</code> is not in {service}&apos;s policy, so there is nothing to edit
        here.
      </p>
    );
  }

  const runPreview = () =>
    startTransition(async () => {
      if (!spec) return;
      const result = await previewPolicyAction(service, spec as PolicySpec, window);
      if (result.ok) {
        setPreview(result.data);
        setMessage(undefined);
      } else setMessage(result.message);
    });

  const save = () =>
    startTransition(async () => {
      if (!spec) return;
      const result = await savePolicyAction(service, spec as PolicySpec, base.version, reason);
      if (result.ok) {
        setBase(result.data.policy);
        setSavedVersion(result.data.policy.version);
        setConflict(undefined);
        setPreview(undefined);
        setReason('');
        setMessage(undefined);
        await client.invalidateQueries({ queryKey: ['view'] });
      } else if (result.code === 'version-conflict') {
        setConflict(result as Conflict);
      } else {
        setMessage(result.message);
      }
    });

  const rebase = () => {
    if (!conflict) return;
    setBase(conflict.current);
    setConflict(undefined);
    setPreview(undefined);
  };

  const isDefault = route === DEFAULT_ROUTE;

  return (
    <form
      className="policy-editor"
      data-testid="policy-editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <p className="muted" style={{ marginTop: 0 }}>
        Editing version <strong data-testid="base-version">{base.version}</strong> of {service}
        &apos;s policy
        {isDefault && ': requests that match no route use the default timeout'}.
      </p>
      <fieldset>
        <legend>Timeout</legend>
        <div className="form-grid">
          <Field
            label={isDefault ? 'Default timeout' : 'Timeout, all attempts'}
            unit="ms"
            error={shownErrors.timeoutMs}
            errorId="timeoutMs-error"
          >
            <input
              {...input('timeoutMs')}
              placeholder={isDefault ? undefined : `default ${base.defaultTimeoutMs}`}
              aria-label="Timeout (ms)"
            />
          </Field>
        </div>
      </fieldset>
      {!isDefault && (
        <fieldset>
          <legend>Retries</legend>
          <label className="checkbox" style={{ marginBottom: 10 }}>
            <input
              type="checkbox"
              checked={draft.retryEnabled}
              onChange={(event) => set('retryEnabled', event.target.checked)}
            />
            Retry failed requests
          </label>
          {draft.retryEnabled && (
            <>
              <div className="checkbox-row" role="group" aria-label="Retry on">
                {RETRY_CONDITIONS.map((c) => (
                  <label key={c} className="checkbox">
                    <input
                      type="checkbox"
                      checked={draft.on.includes(c)}
                      onChange={(event) =>
                        set(
                          'on',
                          event.target.checked ? [...draft.on, c] : draft.on.filter((x) => x !== c),
                        )
                      }
                    />
                    {c}
                  </label>
                ))}
              </div>
              {shownErrors.on && (
                <p className="field-error" role="alert">
                  {shownErrors.on}
                </p>
              )}
              <div className="form-grid" style={{ marginTop: 10 }}>
                <Field
                  label="Max retries"
                  error={shownErrors.maxRetries}
                  errorId="maxRetries-error"
                >
                  <input {...input('maxRetries')} />
                </Field>
                <Field
                  label="Per-try timeout"
                  unit="ms"
                  error={shownErrors.perTryTimeoutMs}
                  errorId="perTryTimeoutMs-error"
                >
                  <input {...input('perTryTimeoutMs')} placeholder="none" />
                </Field>
                <Field
                  label="Backoff base"
                  unit="ms"
                  error={shownErrors.backoffBaseMs}
                  errorId="backoffBaseMs-error"
                >
                  <input {...input('backoffBaseMs')} />
                </Field>
                <Field
                  label="Backoff max"
                  unit="ms"
                  error={shownErrors.backoffMaxMs}
                  errorId="backoffMaxMs-error"
                >
                  <input {...input('backoffMaxMs')} />
                </Field>
              </div>
            </>
          )}
        </fieldset>
      )}
      <fieldset>
        <legend>Retry budget (whole service)</legend>
        <div className="form-grid">
          <Field
            label="Ratio of requests"
            error={shownErrors.budgetRatio}
            errorId="budgetRatio-error"
          >
            <input {...input('budgetRatio')} />
          </Field>
          <Field
            label="Min retries"
            unit="per second"
            error={shownErrors.budgetMinRetriesPerSecond}
            errorId="budgetMinRetriesPerSecond-error"
          >
            <input {...input('budgetMinRetriesPerSecond')} />
          </Field>
          <Field
            label="Window"
            unit="seconds"
            error={shownErrors.budgetTtlSeconds}
            errorId="budgetTtlSeconds-error"
          >
            <input {...input('budgetTtlSeconds')} />
          </Field>
        </div>
      </fieldset>
      {shownErrors.form && (
        <p className="field-error" role="alert">
          {shownErrors.form}
        </p>
      )}

      {conflict && (
        <div className="notice warn" role="alert" data-testid="conflict">
          <strong>Someone else changed this policy</strong> (now version {conflict.current.version}
          ): {conflict.message}
          <DiffList changes={conflict.theirChanges} testId="conflict-diff" />
          <button type="button" className="button" onClick={rebase}>
            Rebase my change onto version {conflict.current.version}
          </button>
        </div>
      )}
      {preview && <PreviewResult preview={preview} route={route} />}
      {message && (
        <p className="field-error" role="alert">
          {message}
        </p>
      )}

      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={runPreview}
          disabled={!spec || pristine || pending}
        >
          Preview
        </button>
        <input
          type="text"
          placeholder="Reason for this change (required)"
          aria-label="Reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <button
          type="submit"
          className="button primary"
          disabled={!spec || pristine || !reason.trim() || pending || Boolean(conflict)}
        >
          {pending ? 'Working…' : 'Save'}
        </button>
      </div>
      {propagating && live && live.policy.version >= savedVersion && (
        <PropagationStatus detail={live} />
      )}
      {propagating && (
        <p className="muted" data-testid="saved">
          Saved as version {savedVersion}.
        </p>
      )}
    </form>
  );
}
