'use client';

import { Component, type ReactNode } from 'react';

interface State {
  error?: Error;
}

/** Keeps one broken section from taking the page down with it. */
export class SectionErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = {};

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="section-error" role="alert">
        <p>This section failed to render: {this.state.error.message}</p>
        <button
          type="button"
          className="button"
          onClick={() => this.setState({ error: undefined })}
        >
          Try again
        </button>
      </div>
    );
  }
}
