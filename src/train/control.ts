// Pause, resume and cancel for a running experiment. Commands arrive at any time (a Worker message,
// a signal in the CLI) and take effect at the next step boundary, where the trainer calls checkpoint().

/** Thrown out of checkpoint() once the experiment is cancelled; the trainer ends the run as 'cancelled'. */
export class ExperimentCancelledError extends Error {
  constructor() {
    super('The experiment was cancelled.');
    this.name = 'ExperimentCancelledError';
  }
}

export interface PauseHooks {
  /** Called when the loop has stopped at a step boundary because of a pause. */
  onPaused?: () => void;
  /** Called when the loop continues after a pause. */
  onResumed?: () => void;
}

export class ExperimentControl {
  private pauseRequested = false;
  private cancelRequested = false;
  /** Wakes a checkpoint() that waits in a pause. */
  private wake: (() => void) | null = null;
  /** Total milliseconds spent waiting in pauses, which ETA and elapsed times leave out. */
  private pausedTotalMs = 0;

  get paused(): boolean {
    return this.pauseRequested;
  }

  get cancelled(): boolean {
    return this.cancelRequested;
  }

  /** Milliseconds spent paused so far. */
  get pausedMs(): number {
    return this.pausedTotalMs;
  }

  /** Asks the loop to stop at the next step boundary until resume() or cancel(). */
  pause(): void {
    this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.wakeUp();
  }

  /** Ends the experiment at the next step boundary, a paused one included. Cannot be undone. */
  cancel(): void {
    this.cancelRequested = true;
    this.wakeUp();
  }

  /** Whether checkpoint() would stop: a pause or a cancel is pending. */
  get stopRequested(): boolean {
    return this.pauseRequested || this.cancelRequested;
  }

  /**
   * Returns at once unless a pause or cancel is pending. Waits while paused (calling the hooks around
   * the wait), and throws ExperimentCancelledError when the experiment is cancelled.
   */
  async checkpoint(hooks: PauseHooks = {}): Promise<void> {
    if (this.cancelRequested) throw new ExperimentCancelledError();
    if (!this.pauseRequested) return;

    hooks.onPaused?.();
    const started = performance.now();
    while (this.pauseRequested && !this.cancelRequested) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    this.pausedTotalMs += performance.now() - started;
    if (this.cancelRequested) throw new ExperimentCancelledError();
    hooks.onResumed?.();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
