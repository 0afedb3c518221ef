/**
 * Progress of a deploy, streamed to `berth deploy` beside the supervisor's replica events: each phase of each
 * service begins and ends (done or failed), with its duration.
 */
export type DeployPhase =
  | 'release' | 'jobs' | 'start' | 'health' | 'warmup' | 'switch' | 'canary' | 'watch' | 'drain' | 'stop' | 'batch' | 'rollback';

export interface DeployEvent {
  readonly type: 'deploy';
  readonly at: number;
  readonly release: string;
  /** Absent for events about the whole release. */
  readonly service?: string;
  readonly phase: DeployPhase;
  readonly state: 'begin' | 'done' | 'failed' | 'info';
  /** `3 replicas of r7`, `traffic 10% → r7`, the failure's reason. */
  readonly detail?: string;
  /** How long the phase took (done / failed). */
  readonly ms?: number;
}

export type DeployEventSink = (event: DeployEvent) => void;
