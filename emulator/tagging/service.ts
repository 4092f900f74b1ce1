/**
 * The Resource Groups Tagging API's GetResources: the tagged resources of the calling account in the Region, across
 * the emulated services (App Mesh resources, ECS task-definition revisions, Cloud Map namespaces), filtered by tags
 * and resource types and paginated. Stateless: it reads the other services' state through `sources`, so it is
 * strongly consistent, where AWS's index lags the services by seconds (docs/emulator.md says what that means for the
 * provider).
 *
 * Filters, as the API reference gives them: several TagFilters must all match (AND); the values of one filter are
 * alternatives (OR); a filter without values matches any value of its key. A ResourceTypeFilter is `service` or
 * `service:resourceType`, both "the same as that embedded in a resource's ARN" (`appmesh`, `ecs:task-definition`,
 * `servicediscovery:namespace`). A resource is listed while it carries a tag (AWS also lists resources that carried
 * one once, with `Tags: []`; the emulator does not remember that), and a task-definition revision until ECS starts
 * deleting it.
 */
import { taggingErrors } from '../errors';
import type { TagSnapshot } from '../types';
import { compareStrings, isPlainObject, type JsonObject, paginate } from '../util';
import { COMPLIANT, DEFAULT_RESOURCES_PER_PAGE } from './defaults';
import { checkGetResources } from './rules';

export interface CallContext {
  readonly account: string;
}

export interface TaggedResource {
  readonly arn: string;
  /** The account the resource belongs to for the Tagging API: the one that created it. */
  readonly owner: string;
  readonly tags: readonly TagSnapshot[];
}

/** The emulated services' taggable resources, read at each call. */
export type TaggedSources = () => Iterable<TaggedResource>;

interface Filter {
  readonly key: string;
  readonly values: readonly string[];
}

/** `arn:<partition>:<service>:<region>:<account>:<type>[/:]…` → [service, type]. */
function typeOf(arn: string): [string, string] {
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':');
  return [parts[2] ?? '', resource.split(/[/:]/, 1)[0] ?? ''];
}

function matchesType(arn: string, filters: readonly string[]): boolean {
  if (!filters.length) return true;
  const [service, type] = typeOf(arn);
  return filters.some((f) => {
    const [s, t] = f.split(':', 2);
    return s === service && (t === undefined || t === type);
  });
}

function matchesTags(tags: readonly TagSnapshot[], filters: readonly Filter[]): boolean {
  return filters.every((f) =>
    tags.some((t) => t.key === f.key && (!f.values.length || f.values.includes(t.value))),
  );
}

export class TaggingService {
  constructor(
    private readonly region: string,
    private readonly sources: TaggedSources,
  ) {}

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    if (operation !== 'GetResources')
      throw new Error(`emulator bug: no Tagging API handler for ${operation}`);
    return this.getResources(input, ctx);
  }

  private getResources(input: JsonObject, ctx: CallContext): JsonObject {
    checkGetResources(input);
    const tagFilters: Filter[] = (Array.isArray(input.TagFilters) ? input.TagFilters : [])
      .filter(isPlainObject)
      .map((f) => ({ key: String(f.Key), values: Array.isArray(f.Values) ? f.Values.map(String) : [] }));
    const typeFilters = Array.isArray(input.ResourceTypeFilters) ? input.ResourceTypeFilters.map(String) : [];
    const arns = Array.isArray(input.ResourceARNList)
      ? new Set(input.ResourceARNList.map(String))
      : undefined;
    const mine = (r: TaggedResource) => r.owner === ctx.account && r.arn.split(':')[3] === this.region;
    const found = [...this.sources()]
      .filter((r) => mine(r) && (arns ? arns.has(r.arn) : true))
      .filter((r) => matchesType(r.arn, typeFilters) && matchesTags(r.tags, tagFilters))
      .sort((a, b) => compareStrings(a.arn, b.arn));
    const limit =
      typeof input.ResourcesPerPage === 'number' ? input.ResourcesPerPage : DEFAULT_RESOURCES_PER_PAGE;
    const token =
      typeof input.PaginationToken === 'string' && input.PaginationToken ? input.PaginationToken : undefined;
    const page = paginate(found, (r) => r.arn, arns ? found.length || 1 : limit, token);
    // A token this query did not give (PaginationTokenExpiredException is for tokens older than 15 minutes).
    if (!page) throw taggingErrors.invalidParameter('The PaginationToken is not valid for this request.');
    return {
      ResourceTagMappingList: page.items.map((r) => ({
        ResourceARN: r.arn,
        Tags: r.tags.map((t) => ({ Key: t.key, Value: t.value })),
        ...(input.IncludeComplianceDetails === true ? { ComplianceDetails: COMPLIANT } : {}),
      })),
      // AWS answers an empty string on the last page (the SDK's paginator stops on it).
      PaginationToken: page.nextToken ?? '',
    };
  }
}
