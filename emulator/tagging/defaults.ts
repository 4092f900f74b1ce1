/** What the Resource Groups Tagging API fills in that the caller did not send; each says why we believe it does. */

/**
 * GetResources.ResourcesPerPage is optional and its default is not documented ("You can specify a minimum of 1 and a
 * maximum value of 100"): the emulator gives the maximum, so a caller that ignores `PaginationToken` is caught only
 * past 100 resources, as the one it would most likely meet on AWS.
 */
export const DEFAULT_RESOURCES_PER_PAGE = 100;

/**
 * GetResources answers `ComplianceDetails` only when `IncludeComplianceDetails` is true. The emulator has no tag
 * policies (AWS Organizations), so every resource is compliant: nothing noncompliant, nothing missing.
 */
export const COMPLIANT = {
  NoncompliantKeys: [],
  KeysWithNoncompliantValues: [],
  MissingTagKeys: [],
  ComplianceStatus: true,
} as const;
