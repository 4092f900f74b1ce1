/**
 * CloudFormation's side of a custom-resource request, for tests and the demo that play CloudFormation: before it
 * invokes the ServiceToken, CloudFormation has marked the stack and the resource in progress; after the answer it
 * records the outcome. The provider verifies requests against exactly this state (DescribeStackResource), so a
 * request that CloudFormation did not make — a forged one — finds the stack idle.
 *
 * The states follow CloudFormation's documented stack and resource status values: a Create runs with the resource
 * CREATE_IN_PROGRESS, an Update with it UPDATE_IN_PROGRESS (its physical id the one being updated), a Delete with it
 * DELETE_IN_PROGRESS; the Delete of an id the resource no longer has (the old id after a replacement, or the new one
 * after a rolled-back replacement) runs in the stack's cleanup phase.
 */
import type { CloudFormationControl, StackSnapshot } from '../types';

export interface CustomResourceRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** A request delivered again (the same RequestId) runs in the window the first delivery opened. */
  readonly RequestId?: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
}

function currentPhysicalId(stack: StackSnapshot | undefined, logicalId: string): string | undefined {
  return stack?.Resources.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
}

export interface RequestInProgress {
  /** Records the answer as CloudFormation does: the resource COMPLETE (with the returned id) or FAILED. */
  end(outcome: { readonly physicalResourceId?: string; readonly failed?: string }): void;
}

/** The request each resource's window was last opened for, and when: per emulator (its control object). */
const windows = new WeakMap<CloudFormationControl, Map<string, { requestId: string; since: number }>>();

/**
 * Marks the stack and resource as CloudFormation does before it sends this request. A delivery of the RequestId the
 * resource's last window was opened for (the Provider framework re-invoking the handler) reopens that same window:
 * the resource in progress since the same moment, as CloudFormation never left it.
 */
export function beginRequest(
  control: CloudFormationControl,
  request: CustomResourceRequest,
): RequestInProgress {
  const opened = windows.get(control) ?? new Map<string, { requestId: string; since: number }>();
  windows.set(control, opened);
  const windowKey = `${request.StackId} ${request.LogicalResourceId}`;
  const earlier = opened.get(windowKey);
  const redelivery = request.RequestId !== undefined && earlier?.requestId === request.RequestId;
  const stack = control.getStack(request.StackId);
  const live = stack !== undefined && stack.StackStatus !== 'DELETE_COMPLETE';
  const base = { logicalResourceId: request.LogicalResourceId, resourceType: request.ResourceType };
  const verb = request.RequestType.toUpperCase();
  const current = currentPhysicalId(stack, request.LogicalResourceId);
  // The resource lives on under another id: the Delete cleans up a replaced (or rolled-back) id.
  const cleanup =
    request.RequestType === 'Delete' &&
    live &&
    current !== undefined &&
    current !== request.PhysicalResourceId;

  if (cleanup) {
    control.putStack({ stackId: request.StackId, stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' });
  } else {
    const stackStatus =
      request.RequestType === 'Delete'
        ? 'DELETE_IN_PROGRESS'
        : live
          ? 'UPDATE_IN_PROGRESS'
          : 'CREATE_IN_PROGRESS';
    control.putStack({ stackId: request.StackId, stackStatus });
    const put = control.putStackResource(request.StackId, {
      ...base,
      ...(request.PhysicalResourceId !== undefined ? { physicalResourceId: request.PhysicalResourceId } : {}),
      resourceStatus: `${verb}_IN_PROGRESS`,
      ...(redelivery ? { since: earlier.since } : {}),
    });
    const since = put.Resources.find(
      (r) => r.LogicalResourceId === request.LogicalResourceId,
    )?.LastUpdatedTimestamp;
    if (request.RequestId !== undefined && since !== undefined)
      opened.set(windowKey, { requestId: request.RequestId, since: Number(since) });
  }

  return {
    end(outcome) {
      control.setStackStatus(request.StackId, 'UPDATE_COMPLETE');
      if (cleanup) return;
      const physicalResourceId = outcome.physicalResourceId ?? request.PhysicalResourceId;
      control.putStackResource(request.StackId, {
        ...base,
        ...(physicalResourceId !== undefined ? { physicalResourceId } : {}),
        resourceStatus: outcome.failed === undefined ? `${verb}_COMPLETE` : `${verb}_FAILED`,
        ...(outcome.failed === undefined ? {} : { resourceStatusReason: outcome.failed.slice(0, 1000) }),
      });
    },
  };
}
