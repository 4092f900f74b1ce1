/**
 * Proves with CloudFormation that a request comes from the stack operation it names. Anyone allowed to invoke the
 * ServiceToken can send an event; only CloudFormation can put a stack's resource in progress. So before any change
 * the provider reads the named resource (DescribeStackResource) and requires:
 *
 * - it exists in that stack, of the event's ResourceType (Custom::MeshService);
 * - Create: it is CREATE_IN_PROGRESS;
 * - Update: it is UPDATE_IN_PROGRESS under the physical id being updated;
 * - Delete: it is DELETE_IN_PROGRESS under the physical id being deleted — or, for an id the resource no longer has
 *   (the old id after a replacement, the new one after a rolled-back replacement), the stack is in a cleanup phase
 *   (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS or UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: never while it rolls back).
 *
 * It answers with the window of the operation (the resource, its status and since when): CloudFormation sends one
 * request per window, so a backend refuses a second RequestId in it (ownership.ts, `windowClaim`).
 *
 * A forged Delete of another team's service therefore finds its resource complete, not being deleted, and is
 * refused. Only stacks of the provider's own account can be read; see docs/security.md for the others.
 */
import {
  type CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { type CallRecord, caller, errorMessage, errorName, failCall } from './aws/call';
import type { RequestWindow, StackVerifier, VerifiedRequest } from './handler';
import { PolicyError } from './policy';

/**
 * Stack phases in which CloudFormation deletes physical ids its resources no longer have: after an update replaced
 * them, or after a rolled-back update. Not during the rollback itself (UPDATE_ROLLBACK_IN_PROGRESS): the resource may
 * still show the new id while CloudFormation returns to the old one, and a Delete of that old id would leave the
 * stack with nothing.
 */
const CLEANUP_PHASES = new Set([
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
]);

export interface StackResource {
  readonly type?: string;
  readonly status?: string;
  readonly physicalId?: string;
  /** When the resource entered its status (DescribeStackResource's LastUpdatedTimestamp). */
  readonly since?: Date;
}

/** The narrow CloudFormation interface (read-only): "does not exist" is a value, not an error. */
export interface StackApi {
  resource(stackId: string, logicalId: string): Promise<StackResource | undefined>;
  /** The stack's status (DELETE_COMPLETE for a deleted stack read by its id), or undefined when unknown. */
  stackStatus(stackId: string): Promise<string | undefined>;
}

const doesNotExist = (e: unknown) =>
  errorName(e) === 'ValidationError' && /does not exist/i.test(errorMessage(e));

export function createStackApi(
  client: CloudFormationClient,
  onCall: (record: CallRecord) => void = () => {},
): StackApi {
  const call = caller(client, onCall);

  async function resource(stackId: string, logicalId: string): Promise<StackResource | undefined> {
    try {
      const out = await call<{
        StackResourceDetail?: {
          ResourceType?: string;
          ResourceStatus?: string;
          PhysicalResourceId?: string;
          LastUpdatedTimestamp?: Date;
        };
      }>(
        'DescribeStackResource',
        `${stackId} ${logicalId}`,
        new DescribeStackResourceCommand({ StackName: stackId, LogicalResourceId: logicalId }),
      );
      const d = out.StackResourceDetail;
      return {
        type: d?.ResourceType,
        status: d?.ResourceStatus,
        physicalId: d?.PhysicalResourceId,
        ...(d?.LastUpdatedTimestamp ? { since: d.LastUpdatedTimestamp } : {}),
      };
    } catch (e) {
      if (doesNotExist(e)) return undefined;
      return failCall(
        'DescribeStackResource',
        `of ${logicalId} in stack ${stackId} (it needs cloudformation:DescribeStackResource; a provider that cannot have it sets its context verifyStackRequests=false)`,
        e,
      );
    }
  }

  async function stackStatus(stackId: string): Promise<string | undefined> {
    try {
      const out = await call<{ Stacks?: { StackStatus?: string }[] }>(
        'DescribeStacks',
        stackId,
        new DescribeStacksCommand({ StackName: stackId }),
      );
      return out.Stacks?.[0]?.StackStatus;
    } catch (e) {
      if (doesNotExist(e)) return undefined;
      return failCall('DescribeStacks', stackId, e);
    }
  }

  return { resource, stackStatus };
}

export function createStackVerifier(api: StackApi): StackVerifier {
  return {
    async verify(request: VerifiedRequest): Promise<RequestWindow> {
      const { stack, logicalResourceId: logical, requestType } = request;
      const [found, status] = await Promise.all([
        api.resource(stack.stackId, logical),
        // Only a Delete can be legitimate with the resource under another id (cleanup): read the phase alongside.
        requestType === 'Delete' ? api.stackStatus(stack.stackId) : undefined,
      ]);
      const refuse = (why: string) =>
        new PolicyError(
          `${requestType} of ${logical} refused: ${why}, so the request does not come from a CloudFormation operation on it (docs/security.md)`,
        );
      if (!found) throw refuse(`stack ${stack.name} (${stack.stackId}) has no resource ${logical}`);
      if (found.type !== request.resourceType) {
        throw refuse(
          `${logical} in stack ${stack.name} is of type ${found.type}, not ${request.resourceType}`,
        );
      }
      const expected = `${requestType.toUpperCase()}_IN_PROGRESS`;
      const samePhysicalId = requestType === 'Create' || found.physicalId === request.physicalResourceId;
      // The window: this resource, in this status since this moment. CloudFormation sends one request in it.
      const window = {
        id: `${stack.stackId} ${logical} ${found.status} ${found.since?.toISOString() ?? 'unknown'}`,
      };
      if (found.status === expected && samePhysicalId)
        return requestType === 'Delete' ? { ...window, endsResource: true } : window;
      if (requestType === 'Delete' && !samePhysicalId && status !== undefined && CLEANUP_PHASES.has(status))
        return { id: `${window.id} cleanup ${status}` };
      throw refuse(
        samePhysicalId
          ? `${logical} in stack ${stack.name} is ${found.status}, not ${expected}`
          : `${logical} in stack ${stack.name} has the physical id ${found.physicalId}, not ${request.physicalResourceId}, and the stack is ${status ?? 'gone'}, not cleaning up`,
      );
    },
  };
}
