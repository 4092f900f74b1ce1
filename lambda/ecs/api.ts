/**
 * The narrow ECS interface: the task-definition calls the provider makes, with "not found" as a value and SDK
 * errors turned into one-line messages naming the call and the task definition.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  TagResourceCommand,
  type TaskDefinition,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { type CallRecord, caller, errorMessage, errorName, failCall } from '../aws/call';
import { AwsCallError } from '../errors';
import type { KeyValue } from '../ownership';

export interface DescribedRevision {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly status: string;
  readonly taskDefinition: TaskDefinition;
  readonly tags: readonly KeyValue[];
}

export interface TaskDefinitionApi {
  describe(taskDefinition: string): Promise<DescribedRevision | undefined>;
  /**
   * ARNs of the family's ACTIVE revisions, newest first (exact family, not the prefix ECS matches); with `limit`, only
   * as many pages as it takes to have that many.
   */
  listActive(family: string, limit?: number): Promise<string[]>;
  register(input: RegisterTaskDefinitionCommandInput): Promise<DescribedRevision>;
  /** Resolves when the revision is INACTIVE (already inactive or unknown counts as done). */
  deregister(arn: string): Promise<void>;
  tag(arn: string, tags: readonly KeyValue[]): Promise<void>;
  untag(arn: string, keys: readonly string[]): Promise<void>;
}

const isMissing = (e: unknown) =>
  (errorName(e) === 'ClientException' || errorName(e) === 'InvalidParameterException') &&
  /unable to describe|does not exist|not found/i.test(errorMessage(e));

export const familyOfArn = (arn: string): string | undefined =>
  /task-definition\/([^:]+):\d+$/.exec(arn)?.[1];

function described(
  td: TaskDefinition | undefined,
  tags: { key?: string; value?: string }[] | undefined,
): DescribedRevision {
  if (!td?.taskDefinitionArn) throw new AwsCallError('ECS returned a task definition without an ARN');
  return {
    arn: td.taskDefinitionArn,
    family: td.family ?? '',
    revision: td.revision ?? 0,
    status: td.status ?? '',
    taskDefinition: td,
    tags: (tags ?? []).filter((t) => t.key !== undefined).map((t) => ({ key: t.key!, value: t.value ?? '' })),
  };
}

export function createTaskDefinitionApi(
  client: ECSClient,
  onCall: (record: CallRecord) => void = () => {},
): TaskDefinitionApi {
  const call = caller(client, onCall);
  const fail = failCall;

  return {
    async describe(taskDefinition) {
      try {
        const out = await call<{
          taskDefinition?: TaskDefinition;
          tags?: { key?: string; value?: string }[];
        }>(
          'DescribeTaskDefinition',
          taskDefinition,
          new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }),
        );
        return described(out.taskDefinition, out.tags);
      } catch (e) {
        if (isMissing(e)) return undefined;
        return fail('DescribeTaskDefinition', `"${taskDefinition}"`, e);
      }
    },
    async listActive(family, limit = Number.POSITIVE_INFINITY) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const out = await call<{ taskDefinitionArns?: string[]; nextToken?: string }>(
            'ListTaskDefinitions',
            family,
            new ListTaskDefinitionsCommand({
              familyPrefix: family,
              status: 'ACTIVE',
              sort: 'DESC',
              maxResults: 100,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          arns.push(...(out.taskDefinitionArns ?? []).filter((a) => familyOfArn(a) === family));
          nextToken = out.nextToken;
        } while (nextToken && arns.length < limit);
      } catch (e) {
        return fail('ListTaskDefinitions', `of family "${family}"`, e);
      }
      const revision = (a: string) => Number(a.slice(a.lastIndexOf(':') + 1));
      return arns.sort((a, b) => revision(b) - revision(a));
    },
    async register(input) {
      try {
        const out = await call<{
          taskDefinition?: TaskDefinition;
          tags?: { key?: string; value?: string }[];
        }>('RegisterTaskDefinition', input.family ?? '', new RegisterTaskDefinitionCommand(input));
        return described(out.taskDefinition, out.tags ?? input.tags);
      } catch (e) {
        return fail('RegisterTaskDefinition', `of family "${input.family}"`, e);
      }
    },
    async deregister(arn) {
      try {
        await call(
          'DeregisterTaskDefinition',
          arn,
          new DeregisterTaskDefinitionCommand({ taskDefinition: arn }),
        );
      } catch (e) {
        if (isMissing(e) || /inactive/i.test(errorMessage(e))) return;
        fail('DeregisterTaskDefinition', `"${arn}"`, e);
      }
    },
    async tag(arn, tags) {
      try {
        await call(
          'TagResource',
          arn,
          new TagResourceCommand({ resourceArn: arn, tags: tags.map((t) => ({ ...t })) }),
        );
      } catch (e) {
        fail('TagResource', `"${arn}"`, e);
      }
    },
    async untag(arn, keys) {
      try {
        await call('UntagResource', arn, new UntagResourceCommand({ resourceArn: arn, tagKeys: [...keys] }));
      } catch (e) {
        fail('UntagResource', `"${arn}"`, e);
      }
    },
  };
}
