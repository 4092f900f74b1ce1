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

export interface TaggingApi {
  /** Every resource tagged as owned by this stack's logical resource (any physical id), of the given types. */
  ownedBy(owner: Owner, resourceTypes: readonly string[]): Promise<TaggedResource[]>;
}

/** Pages are followed to the end; a resource owns at most a few dozen resources, so this is a page or two. */
const PAGE = 100;

export function createTaggingApi(
  client: ResourceGroupsTaggingAPIClient,
  onCall: (record: CallRecord) => void = () => {},
): TaggingApi {
  const call = caller(client, onCall);
  return {
    async ownedBy(owner, resourceTypes) {
      const out: TaggedResource[] = [];
      let token: string | undefined;
      do {
        try {
          const page = await call<{
            ResourceTagMappingList?: { ResourceARN?: string; Tags?: { Key?: string; Value?: string }[] }[];
            PaginationToken?: string;
          }>(
            'GetResources',
            `owned by ${owner.logicalResourceId}`,
            new GetResourcesCommand({
              TagFilters: [
                { Key: TAG.stackId, Values: [tagValue(owner.stackId)] },
                { Key: TAG.logicalId, Values: [tagValue(owner.logicalResourceId)] },
              ],
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
          return failCall(
            'GetResources',
            `of what ${owner.logicalResourceId} owns (it needs tag:GetResources)`,
            e,
          );
        }
      } while (token);
      return out;
    },
  };
}
