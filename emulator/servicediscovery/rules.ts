/**
 * Cloud Map rules the model cannot express, each a small pure function that throws the error Cloud Map answers
 * with. Messages are ours unless marked as Cloud Map's own wording; each rule says where it comes from.
 */
import { serviceDiscoveryErrors } from '../errors';
import type { TagSnapshot } from '../types';

/**
 * API reference, TooManyTagsException: "The list of tags on the resource is over the quota. The maximum number of
 * tags that can be applied to a resource is 50." (the model's TagList allows 200 per request).
 */
export const MAX_TAGS = 50;

/** TooManyTagsException when a resource would carry more than MAX_TAGS tags (a create's, or a merged TagResource). */
export function checkTagCount(tags: readonly TagSnapshot[]): void {
  if (tags.length > MAX_TAGS)
    throw serviceDiscoveryErrors.tooManyTags(`A resource can have at most ${MAX_TAGS} tags.`);
}

/** `aws:` keys are reserved for AWS use, as in AWS's tagging conventions (InvalidInput; unconfirmed for Cloud Map). */
export function checkTags(tags: readonly TagSnapshot[]): void {
  for (const t of tags) {
    if (t.key.toLowerCase().startsWith('aws:'))
      throw serviceDiscoveryErrors.invalidInput(`Tag keys starting with aws: are reserved: ${t.key}`);
  }
}

/**
 * A ListNamespaces filter the emulator serves: the EQ and BEGINS_WITH conditions (the model also lists IN and
 * BETWEEN, not emulated) with exactly one value, RESOURCE_OWNER with EQ only — the emulator's limits, InvalidInput.
 */
export function checkNamespaceFilter(name: unknown, condition: string, values: readonly string[]): void {
  if (condition !== 'EQ' && condition !== 'BEGINS_WITH') {
    throw serviceDiscoveryErrors.invalidInput(`Condition ${condition} is not supported for namespaces.`);
  }
  if (values.length !== 1) {
    throw serviceDiscoveryErrors.invalidInput(`Condition ${condition} takes exactly one value.`);
  }
  if (name === 'RESOURCE_OWNER' && condition !== 'EQ')
    throw serviceDiscoveryErrors.invalidInput('RESOURCE_OWNER supports the EQ condition only.');
}

/**
 * A ListServices filter. ServiceFilter.Condition: "Valid values for Condition include the following: EQ: When you
 * specify EQ, specify one value" (the shared FilterCondition enum also lists IN, BETWEEN and BEGINS_WITH, which the
 * reference does not offer for services); RESOURCE_OWNER takes SELF or OTHER_ACCOUNTS. InvalidInput, our wording.
 */
export function checkServiceFilter(name: unknown, condition: string, values: readonly string[]): void {
  if (condition !== 'EQ')
    throw serviceDiscoveryErrors.invalidInput(`Condition ${condition} is not supported for services.`);
  if (values.length !== 1) throw serviceDiscoveryErrors.invalidInput(`Condition EQ takes exactly one value.`);
  if (name === 'RESOURCE_OWNER' && values[0] !== 'SELF' && values[0] !== 'OTHER_ACCOUNTS')
    throw serviceDiscoveryErrors.invalidInput('RESOURCE_OWNER takes SELF or OTHER_ACCOUNTS.');
}

/**
 * DeleteNamespace of a namespace that still has services: ResourceInUse, Cloud Map's own wording as the SDK reports
 * it (anomalyco/sst#5931: "ResourceInUse: Namespace has associated services; delete the services before deleting
 * the namespace").
 */
export const NAMESPACE_IN_USE =
  'Namespace has associated services; delete the services before deleting the namespace';
