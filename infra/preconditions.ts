/**
 * What the provider checks before it patches a task definition (lambda/policy.ts, docs/security.md), checked at
 * synth where the app shows it: the patching grant (`mesh-service:allowed-stacks` = the stack's id, or a family the
 * provider allows) and the task and execution roles (inside the provider's passRoles, default `mesh-service/*`, an
 * IAM path of `/mesh-service/`). A finding names the prop and the fix; the first deploy would otherwise be refused.
 */

import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type CfnElement, type IResolvable, Stack, TagManager, Token } from 'aws-cdk-lib/core';
import type { IConstruct } from 'constructs';
import { ALLOWED_STACKS_TAG, globMatches } from '../lambda/policy';

export interface PolicyView {
  readonly passRoles: readonly string[];
  readonly taskFamilies: readonly string[];
  /** Whether the provider is known (a MeshServiceProvider given as provider): then a finding is an error. */
  readonly known: boolean;
}

export interface Finding {
  /** The warning's id, to acknowledge it (`Annotations.of(scope).acknowledgeWarning(id)`). */
  readonly id: 'mesh-service:patching-grant' | 'mesh-service:role-path';
  readonly error: boolean;
  readonly message: string;
}

/** The CfnTaskDefinition a value (a construct, or a token such as `td.taskDefinitionArn`) refers to, in the app. */
export function cfnTaskDefinitionOf(
  scope: IConstruct,
  value: ecs.ITaskDefinition | string,
): ecs.CfnTaskDefinition | undefined {
  if (typeof value !== 'string') {
    const child = value.node.defaultChild;
    return child instanceof ecs.CfnTaskDefinition ? child : undefined;
  }
  return elementReferenced(scope, value, ecs.CfnTaskDefinition);
}

/** The element a `Ref` or `Fn::GetAtt` token of the same stack points at. */
function elementReferenced<T extends CfnElement>(
  scope: IConstruct,
  value: string | IResolvable | undefined,
  kind: abstract new (...args: never[]) => T,
): T | undefined {
  if (value === undefined || !Token.isUnresolved(value)) return undefined;
  const stack = Stack.of(scope);
  const resolved = stack.resolve(value) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const logicalId = resolved?.Ref ?? resolved?.['Fn::GetAtt']?.[0];
  if (typeof logicalId !== 'string') return undefined;
  return stack.node
    .findAll()
    .find((c): c is T => c instanceof kind && stack.resolve((c as CfnElement).logicalId) === logicalId);
}

/** The grant findings of a task definition patched by a MeshService of `scope`'s stack. */
export function grantFindings(
  scope: IConstruct,
  cfn: ecs.CfnTaskDefinition,
  prop: string,
  policy: PolicyView,
): Finding[] {
  const family = cfn.family;
  if (family && !Token.isUnresolved(family) && policy.taskFamilies.some((p) => globMatches(p, family)))
    return [];
  const stack = Stack.of(scope);
  const tags = TagManager.of(cfn)?.tagValues() ?? {};
  const grant = tags[ALLOWED_STACKS_TAG];
  const ownId = JSON.stringify(stack.resolve(stack.stackId));
  if (grant !== undefined && Stack.of(cfn) === stack && JSON.stringify(stack.resolve(grant)) === ownId)
    return [];
  const what = `${prop}: the task definition ${cfn.node.scope?.node.path ?? cfn.node.path}`;
  const message =
    Stack.of(cfn) === stack
      ? `${what} has no patching grant (tag ${ALLOWED_STACKS_TAG} = this stack's id), so the provider would refuse to patch it: call MeshService.allowPatching(taskDefinition), give it as ecsTaskDefinition (the construct grants it), or list its family in the provider's allowedTaskFamilies`
      : `${what} is in stack ${Stack.of(cfn).stackName}, the MeshService in ${stack.stackName}: a grant names one stack by id and cannot name this one without a cycle; declare the MeshService in the task definition's stack, or list the family in the provider's allowedTaskFamilies`;
  return [{ id: 'mesh-service:patching-grant', error: policy.known, message }];
}

/** Role findings: the task and execution roles of the task definition, against the provider's passRoles. */
export function roleFindings(cfn: ecs.CfnTaskDefinition, prop: string, policy: PolicyView): Finding[] {
  const findings: Finding[] = [];
  const roles: [string, string | undefined][] = [
    ['task role', cfn.taskRoleArn],
    ['execution role', cfn.executionRoleArn],
  ];
  for (const [which, arn] of roles) {
    if (arn === undefined) continue;
    const where = roleLocation(cfn, arn);
    if (!where || policy.passRoles.some((p) => passes(p, where))) continue;
    const shown = where.name === undefined ? `the IAM path ${where.path}` : `${where.path}${where.name}`;
    findings.push({
      id: 'mesh-service:role-path',
      error: policy.known,
      message: `${prop}: its ${which}${where.construct ? ` ${where.construct}` : ''} is ${shown}, outside the roles the provider may pass to ECS (role/${policy.passRoles.join(', role/')}), so the provider would refuse to patch it: create the role with path: '/mesh-service/' (new iam.Role(this, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), path: '/mesh-service/' })) and give it to the task definition as ${which === 'task role' ? 'taskRole' : 'executionRole'}, or add its path to the provider's passRoles`,
    });
  }
  return findings;
}

interface RoleLocation {
  /** The IAM path, `/` to `/`. */
  readonly path: string;
  /** The role name, when known at synth. */
  readonly name?: string;
  readonly construct?: string;
}

function roleLocation(scope: IConstruct, arn: string): RoleLocation | undefined {
  const role = elementReferenced(scope, arn, iam.CfnRole);
  if (role) {
    const path = role.path;
    const name = role.roleName;
    if (path !== undefined && Token.isUnresolved(path)) return undefined;
    return {
      path: path ?? '/',
      ...(name !== undefined && !Token.isUnresolved(name) ? { name } : {}),
      construct: role.node.scope?.node.path ?? role.node.path,
    };
  }
  if (Token.isUnresolved(arn)) return undefined;
  const match = /^arn:[^:]+:iam::\d*:role(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  return match ? { path: match[1]!, name: match[2]! } : undefined;
}

/** Whether a passRoles pattern (path and name after `role/`) covers the role; an unknown name: the path alone. */
function passes(pattern: string, role: RoleLocation): boolean {
  const path = role.path.replace(/^\//, '');
  if (role.name !== undefined) return globMatches(pattern, `${path}${role.name}`);
  const slash = pattern.lastIndexOf('/');
  return globMatches(slash < 0 ? '' : pattern.slice(0, slash + 1), path) || pattern.startsWith('*');
}
