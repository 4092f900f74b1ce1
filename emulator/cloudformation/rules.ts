/**
 * Constraints CloudFormation enforces on the wire that its published model does not carry. The model types
 * `StackName` as a bare string, but CloudFormation answers a name that is neither a stack name nor an ARN, or an
 * empty one, with a validation error, e.g. (verbatim, from users' reports):
 *   "1 validation error detected: Value 'test-1.2.3' at 'stackName' failed to satisfy constraint: Member must
 *    satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"   (coreos/coreos-kubernetes#505)
 *   "2 validation errors detected: Value '' at 'stackName' failed to satisfy constraint: Member must satisfy
 *    regular expression pattern: …; Value '' at 'stackName' failed to satisfy constraint: Member must have length
 *    greater than or equal to 1"   (aws-samples/private-llm-qa-bot#125, while monitoring a stack)
 * The first shows the pattern must match the whole value ('test-1.2.3' has a matching prefix), as Java's
 * `matches` does. We apply it to StackName in every emulated operation.
 */
import type { Issue } from '../model/validate';

export const STACK_NAME_PATTERN = '[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*';
const STACK_NAME = new RegExp(`^(?:${STACK_NAME_PATTERN})$`);

/** Issues (with the query services' member path `stackName`) for a StackName CloudFormation would refuse. */
export function stackNameIssues(input: Record<string, unknown>): Issue[] {
  const value = input.StackName;
  if (typeof value !== 'string') return [];
  const issues: Issue[] = [];
  const at = (rule: string): Issue => ({
    path: 'stackName',
    message: `Value '${value}' at 'stackName' failed to satisfy constraint: ${rule}`,
  });
  if (!STACK_NAME.test(value))
    issues.push(at(`Member must satisfy regular expression pattern: ${STACK_NAME_PATTERN}`));
  if (value.length < 1) issues.push(at('Member must have length greater than or equal to 1'));
  return issues;
}
