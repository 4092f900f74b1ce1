/**
 * The narrow Cloud Map interface of the Service Connect backend: the namespace calls it makes, "not found" as a
 * value, SDK errors as one-line messages. It never changes Cloud Map services (ECS creates the one of each ECS
 * service from its discovery name); it only lists those of a namespace, to know whether anyone still uses it.
 *
 * Cloud Map creates and deletes namespaces asynchronously: CreateHttpNamespace and DeleteNamespace answer an
 * operation id, and GetOperation tells when it is done (SUBMITTED, PENDING, then SUCCESS or FAIL).
 */
import {
  CreateHttpNamespaceCommand,
  DeleteNamespaceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  type ServiceDiscoveryClient,
  TagResourceCommand,
} from '@aws-sdk/client-servicediscovery';
import { type CallRecord, caller, errorName, failCall } from '../aws/call';
import { AwsCallError, MeshServiceError } from '../errors';
import type { KeyValue } from '../ownership';

export interface NamespaceInfo {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: string;
  /** The Cloud Map services in it (ECS creates one per Service Connect service). */
  readonly serviceCount: number;
  readonly tags: readonly KeyValue[];
}

export interface CloudMapApi {
  /** The namespace of this name in the account and Region, with its tags; undefined when there is none. */
  findNamespace(name: string): Promise<NamespaceInfo | undefined>;
  /** Creates an HTTP namespace and waits for it; `ConflictError` when the name is taken meanwhile. */
  createHttpNamespace(
    name: string,
    tags: readonly KeyValue[],
    creatorRequestId: string,
  ): Promise<NamespaceInfo>;
  /** The names of the Cloud Map services in a namespace (ListServices with a NAMESPACE_ID filter), every page. */
  listServices(namespaceId: string): Promise<string[]>;
  /** Deletes a namespace and waits; resolves when it is gone (already gone counts), false when in use. */
  deleteNamespace(id: string): Promise<boolean>;
  tag(arn: string, tags: readonly KeyValue[]): Promise<void>;
}

/** The name is taken: another request created the namespace first. */
export class NamespaceExistsError extends MeshServiceError {
  override readonly name: string = 'NamespaceExistsError';
}

/** How often, and how many times, a Cloud Map operation is polled. */
export interface OperationPolling {
  readonly intervalMs: number;
  readonly attempts: number;
}

const DEFAULT_POLLING: OperationPolling = { intervalMs: 1_000, attempts: 120 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawNamespace {
  Id?: string;
  Arn?: string;
  Name?: string;
  Type?: string;
  ServiceCount?: number;
}

export function createCloudMapApi(
  client: ServiceDiscoveryClient,
  onCall: (record: CallRecord) => void = () => {},
  polling: OperationPolling = DEFAULT_POLLING,
): CloudMapApi {
  const call = caller(client, onCall);

  async function tagsOf(arn: string): Promise<KeyValue[]> {
    try {
      const out = await call<{ Tags?: { Key?: string; Value?: string }[] }>(
        'ListTagsForResource',
        arn,
        new ListTagsForResourceCommand({ ResourceARN: arn }),
      );
      return (out.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
    } catch (e) {
      if (errorName(e) === 'ResourceNotFoundException') return [];
      return failCall('ListTagsForResource', `of namespace "${arn}"`, e);
    }
  }

  async function describe(id: string): Promise<NamespaceInfo | undefined> {
    let ns: RawNamespace | undefined;
    try {
      ns = (await call<{ Namespace?: RawNamespace }>('GetNamespace', id, new GetNamespaceCommand({ Id: id })))
        .Namespace;
    } catch (e) {
      if (errorName(e) === 'NamespaceNotFound') return undefined;
      return failCall('GetNamespace', `"${id}"`, e);
    }
    if (!ns?.Id || !ns.Arn)
      throw new AwsCallError(`GetNamespace "${id}" returned a namespace without an id or ARN`);
    return {
      id: ns.Id,
      arn: ns.Arn,
      name: ns.Name ?? '',
      type: ns.Type ?? '',
      serviceCount: ns.ServiceCount ?? 0,
      tags: await tagsOf(ns.Arn),
    };
  }

  /** Polls the operation until it ends; returns the namespace id it targets. */
  async function settle(operationId: string, what: string): Promise<string | undefined> {
    for (let i = 0; i < polling.attempts; i++) {
      let op: {
        Status?: string;
        ErrorCode?: string;
        ErrorMessage?: string;
        Targets?: Record<string, string>;
      };
      try {
        op =
          (
            await call<{ Operation?: typeof op }>(
              'GetOperation',
              operationId,
              new GetOperationCommand({ OperationId: operationId }),
            )
          ).Operation ?? {};
      } catch (e) {
        return failCall('GetOperation', `"${operationId}" (${what})`, e);
      }
      if (op.Status === 'SUCCESS') return op.Targets?.NAMESPACE;
      if (op.Status === 'FAIL') {
        throw new AwsCallError(
          `${what} failed in Cloud Map (operation ${operationId}): ${op.ErrorCode ?? 'FAIL'}: ${op.ErrorMessage ?? 'no reason given'}`,
        );
      }
      await sleep(polling.intervalMs);
    }
    throw new AwsCallError(`${what}: Cloud Map operation ${operationId} did not finish in time`);
  }

  return {
    async findNamespace(name) {
      let nextToken: string | undefined;
      const ids: string[] = [];
      try {
        do {
          const out = await call<{ Namespaces?: RawNamespace[]; NextToken?: string }>(
            'ListNamespaces',
            name,
            new ListNamespacesCommand({
              Filters: [{ Name: 'NAME', Values: [name], Condition: 'EQ' }],
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          );
          for (const ns of out.Namespaces ?? []) if (ns.Name === name && ns.Id) ids.push(ns.Id);
          nextToken = out.NextToken;
        } while (nextToken);
      } catch (e) {
        return failCall('ListNamespaces', `named "${name}"`, e);
      }
      // A name is unique per account and Region among the namespaces the caller sees.
      return ids.length ? describe(ids[0]!) : undefined;
    },

    async createHttpNamespace(name, tags, creatorRequestId) {
      let operationId: string | undefined;
      try {
        operationId = (
          await call<{ OperationId?: string }>(
            'CreateHttpNamespace',
            name,
            new CreateHttpNamespaceCommand({
              Name: name,
              CreatorRequestId: creatorRequestId,
              Description: 'Created by Custom::MeshService (Backend: ServiceConnect)',
              Tags: tags.map((t) => ({ Key: t.key, Value: t.value })),
            }),
          )
        ).OperationId;
      } catch (e) {
        if (errorName(e) === 'NamespaceAlreadyExists') {
          throw new NamespaceExistsError(`CreateHttpNamespace "${name}": the namespace already exists`, {
            cause: e,
          });
        }
        return failCall('CreateHttpNamespace', `"${name}"`, e);
      }
      if (!operationId) throw new AwsCallError(`CreateHttpNamespace "${name}" returned no operation id`);
      const id = await settle(operationId, `creating namespace "${name}"`);
      const created = id ? await describe(id) : undefined;
      if (!created) throw new AwsCallError(`namespace "${name}" was created but cannot be read back`);
      return created;
    },

    async listServices(namespaceId) {
      const names: string[] = [];
      let nextToken: string | undefined;
      try {
        // Cloud Map pages before it filters: a page may hold no match and still have a NextToken.
        do {
          const out = await call<{ Services?: { Name?: string }[]; NextToken?: string }>(
            'ListServices',
            namespaceId,
            new ListServicesCommand({
              Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }],
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          );
          for (const s of out.Services ?? []) names.push(s.Name ?? '');
          nextToken = out.NextToken;
        } while (nextToken);
      } catch (e) {
        return failCall('ListServices', `of namespace "${namespaceId}"`, e);
      }
      return names;
    },

    async deleteNamespace(id) {
      let operationId: string | undefined;
      try {
        operationId = (
          await call<{ OperationId?: string }>('DeleteNamespace', id, new DeleteNamespaceCommand({ Id: id }))
        ).OperationId;
      } catch (e) {
        if (errorName(e) === 'NamespaceNotFound') return true;
        if (errorName(e) === 'ResourceInUse') return false;
        return failCall('DeleteNamespace', `"${id}"`, e);
      }
      if (operationId) await settle(operationId, `deleting namespace "${id}"`);
      return true;
    },

    async tag(arn, tags) {
      try {
        await call(
          'TagResource',
          arn,
          new TagResourceCommand({
            ResourceARN: arn,
            Tags: tags.map((t) => ({ Key: t.key, Value: t.value })),
          }),
        );
      } catch (e) {
        failCall('TagResource', `namespace "${arn}"`, e);
      }
    },
  };
}
