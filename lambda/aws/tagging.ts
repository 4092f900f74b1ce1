/**
 * The narrow Resource Groups Tagging API client: what a CloudFormation resource owns, found by its ownership tags in
 * one call per page, whatever service, mesh or family it is in — so a request reconciles against everything its
 * logical resource owns at a cost proportional to that, not to the account.
 */
import {
  GetResourcesCommand,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { type KeyValue, type Owner, TAG, tagValue } from '../ownership';
import { type CallRecord, caller, failCall } from './call';

export interface TaggedResource {
  readonly arn: string;
  readonly tags: readonly KeyValue[];
}

export interface TagFilter {
  readonly key: string;
  /** Alternatives; none: any value of the key. */
  readonly values?: readonly string[];
}

export interface TaggingApi {
  /** Every resource tagged as owned by this stack's logical resource (any physical id), of the given types. */
  ownedBy(owner: Owner, resourceTypes: readonly string[]): Promise<TaggedResource[]>;
  /** Every resource matching all the filters, of the given types (`service` or `service:type`). */
  tagged(filters: readonly TagFilter[], resourceTypes: readonly string[]): Promise<TaggedResource[]>;
}

/** Pages are followed to the end; a resource owns at most a few dozen resources, so this is a page or two. */
const PAGE = 100;

export function createTaggingApi(
  client: ResourceGroupsTaggingAPIClient,
  onCall: (record: CallRecord) => void = () => {},
): TaggingApi {
  const call = caller(client, onCall);
  async function tagged(
    filters: readonly TagFilter[],
    resourceTypes: readonly string[],
    what: string,
  ): Promise<TaggedResource[]> {
    const out: TaggedResource[] = [];
    let token: string | undefined;
    do {
      try {
        const page = await call<{
          ResourceTagMappingList?: { ResourceARN?: string; Tags?: { Key?: string; Value?: string }[] }[];
          PaginationToken?: string;
        }>(
          'GetResources',
          what,
          new GetResourcesCommand({
            TagFilters: filters.map((f) => ({ Key: f.key, ...(f.values ? { Values: [...f.values] } : {}) })),
            ResourceTypeFilters: [...resourceTypes],
            ResourcesPerPage: PAGE,
            ...(token ? { PaginationToken: token } : {}),
          }),
        );
        for (const r of page.ResourceTagMappingList ?? []) {
          if (!r.ResourceARN) continue;
          out.push({
            arn: r.ResourceARN,
            tags: (r.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
          });
        }
        token = page.PaginationToken || undefined;
      } catch (e) {
        return failCall('GetResources', `of what ${what} (it needs tag:GetResources)`, e);
      }
    } while (token);
    return out;
  }
  return {
    ownedBy: (owner, resourceTypes) =>
      tagged(
        [
          { key: TAG.stackId, values: [tagValue(owner.stackId)] },
          { key: TAG.logicalId, values: [tagValue(owner.logicalResourceId)] },
        ],
        resourceTypes,
        `${owner.logicalResourceId} owns`,
      ),
    tagged: (filters, resourceTypes) =>
      tagged(filters, resourceTypes, filters.map((f) => `${f.key}=${f.values?.join('|') ?? '*'}`).join(', ')),
  };
}
