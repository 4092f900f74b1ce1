/**
 * What CloudFormation fills in on a stack and its resources that their creator did not set, as DescribeStacks and
 * DescribeStackResource(s) show it. The emulated stacks are put by tests without options, so each member is what
 * CloudFormation shows for a stack created without it; each says why.
 */

/** The options of a stack created without them (fresh values: outputs never share them). */
export function stackOptionDefaults() {
  return {
    /** None was given. */
    RollbackConfiguration: {},
    /** CreateStack API reference, DisableRollback: "Default: false". */
    DisableRollback: false,
    /** None was given. */
    NotificationARNs: [] as string[],
    /** None was given. */
    Tags: [] as unknown[],
    /** User guide, "Protect CloudFormation stacks from being deleted": "Termination protection on stacks is disabled by default." */
    EnableTerminationProtection: false,
  };
}

/**
 * The emulator runs no drift detection. API reference, StackDriftInformation: "NOT_CHECKED: CloudFormation hasn't
 * checked if the stack differs from its expected template configuration" (StackResourceDriftInformation likewise).
 */
export const stackDriftInformation = () => ({ StackDriftStatus: 'NOT_CHECKED' });
export const resourceDriftInformation = () => ({ StackResourceDriftStatus: 'NOT_CHECKED' });
