/** What Cloud Map fills in that the caller did not send; each says why we believe the real service does it. */

/**
 * API reference, ListNamespaces.MaxResults: "If you don't specify a value for MaxResults, AWS Cloud Map returns up
 * to 100 namespaces."; ListServices.MaxResults: "If you don't specify a value for MaxResults, Cloud Map returns up
 * to 100 services."
 */
export const DEFAULT_MAX_RESULTS = 100;

/** API reference, NamespaceFilter.Condition and ServiceFilter.Condition: "EQ is the default condition and can be omitted." */
export const DEFAULT_FILTER_CONDITION = 'EQ';
