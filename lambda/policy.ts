/**
 * The provider's trust policy: what a stack that may invoke the ServiceToken may make the provider do with the
 * provider's own permissions. The platform team sets it in the provider stack's CDK context; the stack passes it to
 * the handler as environment variables (see docs/security.md). Pure: no AWS calls.
 *
 * - Invokers: stacks of the provider's account, plus the accounts listed (or every account, `*`, when the
 *   ServiceToken is shared with a whole AWS Organization).
 * - Task definitions: a revision is patched only when its stack granted it — the tag `mesh-service:allowed-stacks`
 *   on the revision names the stack's id — or its family matches an allowed pattern. Otherwise any template could
 *   make the provider register a revision of another team's family, with that team's roles and an image of its
 *   choosing. A stack name is no grant: it outlives its stack, and whoever creates a stack under it later would
 *   inherit the grant; a stack id is never given to another stack.
 * - Roles: a patched revision passes its source's task and execution roles; they must match the role patterns the
 *   provider's `iam:PassRole` grant covers, so a mismatch fails before any change instead of at registration.
 * - Images: Envoy and the X-Ray daemon only from their official registries or the allowed prefixes.
 * - Meshes: those of the provider's account and of the accounts listed as sharing meshes with it (MeshOwner). The
 *   provider role's App Mesh permissions are the same list; checking it here refuses before any call, naming the
 *   rule, instead of an AccessDenied halfway.
 */
import { MeshServiceError } from './errors';

export interface ProviderPolicy {
  /** Accounts whose stacks may use the provider besides its own; `*` = any (organization-wide sharing). */
  readonly invokerAccounts: readonly string[] | '*';
  /** Task-definition families any permitted stack may patch (`*` matches any characters). */
  readonly taskFamilies: readonly string[];
  /** Role patterns after `role/` (IAM path and name, `*` matches any characters) that patched revisions may pass. */
  readonly passRoles: readonly string[];
  /** Image patterns (`*` matches any characters) allowed beyond the official Envoy and X-Ray daemon images. */
  readonly images: readonly string[];
  /** Verify with CloudFormation that a request of a stack of the provider's account comes from that stack. */
  readonly verifyStacks: boolean;
  /** Accounts whose shared meshes (MeshOwner) the provider may use besides its own account's. */
  readonly sharedMeshOwners: readonly string[];
}

/**
 * Tag on an application's task-definition revision naming, by stack id (ARN), the stacks that may patch it
 * (whitespace-separated; a tag value holds 256 characters, a stack id up to about 230).
 */
export const ALLOWED_STACKS_TAG = 'mesh-service:allowed-stacks';

/** The defaults: nothing beyond the provider's own account, role path `/mesh-service/`, official images only. */
export const DEFAULT_POLICY: ProviderPolicy = {
  invokerAccounts: [],
  taskFamilies: [],
  passRoles: ['mesh-service/*'],
  images: [],
  verifyStacks: true,
  sharedMeshOwners: [],
};

export const POLICY_ENV = {
  invokerAccounts: 'MESH_SERVICE_INVOKER_ACCOUNTS',
  taskFamilies: 'MESH_SERVICE_TASK_FAMILIES',
  passRoles: 'MESH_SERVICE_PASS_ROLES',
  images: 'MESH_SERVICE_IMAGES',
  verifyStacks: 'MESH_SERVICE_VERIFY_STACKS',
  sharedMeshOwners: 'MESH_SERVICE_SHARED_MESH_OWNERS',
} as const;

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads the policy from the environment the provider stack sets; an absent variable keeps the default. */
export function policyFromEnvironment(env: Readonly<Record<string, string | undefined>>): ProviderPolicy {
  const read = (name: string) => env[name];
  const accounts = read(POLICY_ENV.invokerAccounts);
  const verify = read(POLICY_ENV.verifyStacks);
  const policy: ProviderPolicy = {
    invokerAccounts:
      accounts === undefined
        ? DEFAULT_POLICY.invokerAccounts
        : accounts.trim() === '*'
          ? '*'
          : list(accounts),
    taskFamilies: list(read(POLICY_ENV.taskFamilies) ?? ''),
    passRoles:
      read(POLICY_ENV.passRoles) === undefined
        ? DEFAULT_POLICY.passRoles
        : list(read(POLICY_ENV.passRoles) ?? ''),
    images: list(read(POLICY_ENV.images) ?? ''),
    verifyStacks: verify === undefined ? DEFAULT_POLICY.verifyStacks : verify.toLowerCase() !== 'false',
    sharedMeshOwners: list(read(POLICY_ENV.sharedMeshOwners) ?? ''),
  };
  const accountLists = [
    [POLICY_ENV.invokerAccounts, policy.invokerAccounts === '*' ? [] : policy.invokerAccounts],
    [POLICY_ENV.sharedMeshOwners, policy.sharedMeshOwners],
  ] as const;
  for (const [name, accounts] of accountLists) {
    const badAccount = accounts.find((a) => !/^\d{12}$/.test(a));
    if (badAccount !== undefined) {
      throw new MeshServiceError(
        `the provider is misconfigured: ${name} holds "${badAccount}", not a 12-digit account id`,
      );
    }
  }
  return policy;
}

/** `*` matches any characters (including `/`, as in IAM resource patterns); everything else is literal. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(text);
}

export interface StackIdentity {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly stackId: string;
}

/** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`, or undefined for anything else. */
export function parseStackId(stackId: string): StackIdentity | undefined {
  const m =
    /^arn:(aws[a-z-]*):cloudformation:([a-z0-9-]+):(\d{12}):stack\/([A-Za-z][A-Za-z0-9-]{0,127})\/[A-Za-z0-9-]+$/.exec(
      stackId,
    );
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]!, stackId };
}

/** Thrown when a request, a template or a task definition asks for something the trust policy does not allow. */
export class PolicyError extends MeshServiceError {
  override readonly name = 'PolicyError';
}

/** The stack of a request must be a real stack id of an account allowed to use this provider, in its Region. */
export function checkInvoker(
  stackId: string,
  provider: { accountId: string; region: string; partition: string },
  policy: ProviderPolicy,
): StackIdentity {
  const stack = parseStackId(stackId);
  if (!stack) throw new PolicyError(`StackId "${stackId}" is not a CloudFormation stack id; request refused`);
  if (stack.partition !== provider.partition || stack.region !== provider.region) {
    throw new PolicyError(
      `stack ${stack.name} is in ${stack.partition}/${stack.region}, but this provider serves ${provider.partition}/${provider.region}; request refused`,
    );
  }
  const others = policy.invokerAccounts;
  if (stack.account === provider.accountId || others === '*' || others.includes(stack.account)) return stack;
  const served = [provider.accountId, ...others].join(', ');
  throw new PolicyError(
    `stacks of account ${stack.account} may not use this provider (it serves ${served}); ask the platform team to add the account to the provider's invokerAccountIds`,
  );
}

type Tagged = { readonly tags: readonly { key: string; value: string }[] };

/** What the revision's grant tag lists. */
const granted = (revision: Tagged): string[] =>
  revision.tags
    .filter((t) => t.key === ALLOWED_STACKS_TAG)
    .flatMap((t) => t.value.split(/\s+/).filter(Boolean));

/**
 * Why the stack may patch this revision, or undefined when it may not. Only the stack's id grants (a name, unique
 * only among the live stacks of one account, would pass to the next stack created under it).
 */
export function patchGrant(
  revision: Tagged & { family: string },
  stack: StackIdentity,
  // Unused since grants are by stack id (unique across accounts); kept so that the backends' calls stay as they are.
  _providerAccount: string,
  policy: ProviderPolicy,
): string | undefined {
  if (granted(revision).includes(stack.stackId))
    return `tag ${ALLOWED_STACKS_TAG} names stack ${stack.stackId}`;
  const pattern = policy.taskFamilies.find((p) => globMatches(p, revision.family));
  return pattern === undefined
    ? undefined
    : `family matches the provider's allowed family pattern "${pattern}"`;
}

/**
 * A source revision a backend registers from must grant the stack (patchGrant) and pass only roles the provider may
 * pass to ECS; `verb` says what the backend does with it ("patch", "register revisions of").
 */
export function checkSourceRevision(
  source: {
    family: string;
    revision: number;
    tags: readonly { key: string; value: string }[];
    taskDefinition: { taskRoleArn?: string; executionRoleArn?: string };
  },
  property: string,
  verb: string,
  request: { stack: StackIdentity; accountId: string; partition: string; policy: ProviderPolicy },
): void {
  const { stack, policy } = request;
  const id = `${property} (${source.family}:${source.revision})`;
  if (!patchGrant(source, stack, request.accountId, policy)) {
    const why = granted(source).includes(stack.name)
      ? `its ${ALLOWED_STACKS_TAG} tag names the stack by name only, and a name grants nothing (a stack created later under the same name would inherit it)`
      : `the revision has no ${ALLOWED_STACKS_TAG} tag naming the stack's id and its family matches none of the provider's allowed families${
          policy.taskFamilies.length ? ` (${policy.taskFamilies.join(', ')})` : ''
        }`;
    throw new PolicyError(
      `${id}: stack ${stack.name} may not ${verb} this task definition: ${why}; tag the revision with ${ALLOWED_STACKS_TAG} = ${stack.stackId} where it is registered (in a template Value: !Ref AWS::StackId, in CDK MeshService.allowPatching), or ask the platform team to allow the family`,
    );
  }
  const td = source.taskDefinition;
  const outside = rolesOutsidePolicy([td.taskRoleArn, td.executionRoleArn], request, policy);
  if (outside.length) {
    throw new PolicyError(
      `${id}: ${outside.join(' and ')} ${outside.length > 1 ? 'are' : 'is'} outside the roles the provider may pass to ECS (role/${policy.passRoles.join(', role/')}); create the role under one of those paths (e.g. Path: /mesh-service/ on the AWS::IAM::Role) or ask the platform team to add it to the provider's context passRoles`,
    );
  }
}

/** The roles a revision passes that the provider's iam:PassRole grant does not cover. */
export function rolesOutsidePolicy(
  roleArns: readonly (string | undefined)[],
  provider: { accountId: string; partition: string },
  policy: ProviderPolicy,
): string[] {
  const prefix = `arn:${provider.partition}:iam::${provider.accountId}:role/`;
  return roleArns.filter(
    (arn): arn is string =>
      arn !== undefined &&
      arn !== '' &&
      !(arn.startsWith(prefix) && policy.passRoles.some((p) => globMatches(p, arn.slice(prefix.length)))),
  );
}

/**
 * A mesh of another account (MeshOwner) is used only when the policy lists that account as sharing meshes with the
 * provider; the provider's own account is always allowed (a MeshOwner of it is the account's own mesh).
 */
export function checkMeshOwner(
  meshOwner: string | undefined,
  provider: { accountId: string },
  policy: ProviderPolicy,
): void {
  if (meshOwner === undefined || meshOwner === provider.accountId) return;
  if (policy.sharedMeshOwners.includes(meshOwner)) return;
  const listed = policy.sharedMeshOwners.length
    ? `, and ${policy.sharedMeshOwners.join(', ')} (sharedMeshOwnerAccountIds)`
    : '';
  throw new PolicyError(
    `MeshOwner: account ${meshOwner} is not one whose meshes this provider may use (its own account ${provider.accountId}${listed}); use a mesh of ${provider.accountId}, or ask the platform team to add ${meshOwner} to the provider's context sharedMeshOwnerAccountIds (the accounts that share meshes with it through AWS RAM)`,
  );
}

/** An image is allowed when it is official (the caller knows which are) or matches an allowed pattern. */
export function imageAllowed(image: string, official: boolean, policy: ProviderPolicy): boolean {
  return official || policy.images.some((pattern) => globMatches(pattern, image));
}
