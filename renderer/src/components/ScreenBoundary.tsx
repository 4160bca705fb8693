import { Component, type ReactNode } from 'react';
import { internalErrorInfo } from '../../../main/core/ipc/contract';
import { ErrorPanel } from './ErrorPanel';

/**
 * Keeps a screen's rendering bug to that screen: the header and navigation stay usable and the bug is named
 * as one ("Internal error: …") instead of a blank window.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) return <ErrorPanel error={internalErrorInfo(this.state.error.message)} />;
    return this.props.children;
  }
}
