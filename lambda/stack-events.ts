/**
 * The EventBridge events the reclaimer (lambda/reclaimer.ts) is subscribed to — pure, so the provider construct
 * (infra/reclaimer.ts) builds its event pattern from the same list without loading the SDK.
 *
 * CloudFormation's "CloudFormation Stack Status Change" event (source `aws.cloudformation`) carries the stack id in
 * `detail.stack-id` and the status in `detail.status-details.status` (CloudFormation User Guide, *Stack Status
 * Change event detail*); a scheduled rule delivers `detail-type` "Scheduled Event" (source `aws.events`).
 */

/** A stack status change, or the scheduled sweep. */
export interface StackStatusEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: {
    readonly 'stack-id'?: string;
    readonly 'status-details'?: { readonly status?: string; readonly 'status-reason'?: string };
  };
}

export const STACK_STATUS_CHANGE = 'CloudFormation Stack Status Change';
export const SCHEDULED_EVENT = 'Scheduled Event';

/** The stack statuses that end what may have left resources: a rollback or a deletion completed. */
export const RECLAIMING_STATUSES = [
  'ROLLBACK_COMPLETE',
  'DELETE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
] as const;
