/**
 * Resource Groups Tagging API rules the model cannot express, each a small pure function that throws the error the
 * service answers with (`InvalidParameterException`, HTTP 400). Messages are ours; each rule quotes the GetResources
 * API reference it comes from.
 */
import { taggingErrors } from '../errors';
import type { JsonObject } from '../util';

const invalid = taggingErrors.invalidParameter;

/**
 * ResourceARNList: "You can't specify both this parameter and the ResourceTypeFilters parameter … TagFilters … any
 * of the pagination parameters (ResourcesPerPage, TagsPerPage, PaginationToken) in the same request. If you do, you
 * get an Invalid Parameter exception." ResourcesPerPage: "a minimum of 1 and a maximum value of 100". TagsPerPage: "a
 * minimum of 100 items up to a maximum of 500 items". ExcludeCompliantResources: "You can use this parameter only if
 * the IncludeComplianceDetails parameter is also set to true." TagFilters: "Each TagFilter must contain a key".
 * ResourceTypeFilters: "The array can include up to 100 items."
 */
export function checkGetResources(input: JsonObject): void {
  if (input.ResourceARNList !== undefined) {
    for (const other of [
      'ResourceTypeFilters',
      'TagFilters',
      'ResourcesPerPage',
      'TagsPerPage',
      'PaginationToken',
    ]) {
      if (input[other] !== undefined)
        throw invalid(`ResourceARNList and ${other} cannot be specified in the same request.`);
    }
  }
  const perPage = input.ResourcesPerPage;
  if (typeof perPage === 'number' && (perPage < 1 || perPage > 100))
    throw invalid(`ResourcesPerPage must be between 1 and 100, got ${perPage}.`);
  const tagsPerPage = input.TagsPerPage;
  if (typeof tagsPerPage === 'number' && (tagsPerPage < 100 || tagsPerPage > 500))
    throw invalid(`TagsPerPage must be between 100 and 500, got ${tagsPerPage}.`);
  if (input.ExcludeCompliantResources === true && input.IncludeComplianceDetails !== true)
    throw invalid('ExcludeCompliantResources can be used only with IncludeComplianceDetails set to true.');
  const filters = Array.isArray(input.TagFilters) ? input.TagFilters : [];
  filters.forEach((f, i) => {
    const key = (f as JsonObject).Key;
    if (typeof key !== 'string' || key === '') throw invalid(`TagFilters[${i}] must contain a Key.`);
  });
  const types = Array.isArray(input.ResourceTypeFilters) ? input.ResourceTypeFilters : [];
  if (types.length > 100)
    throw invalid(`ResourceTypeFilters can include up to 100 items, got ${types.length}.`);
}
