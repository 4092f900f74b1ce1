/** Match conditions: header, query-parameter and method matches, shared by routes (routes.ts) and gateway routes (gateway.ts). */
import { bool, type Infer, int, isResolved, list, optional, required, str, struct, withDefault } from './dsl';

export const HEADER_MATCH_KINDS = ['Exact', 'Prefix', 'Suffix', 'Regex', 'Range'] as const;

export const MatchRange = struct(
  'MatchRange',
  {
    Start: required(int(), { description: 'First value of the range (inclusive).', update: 'in-place' }),
    End: required(int(), { description: 'End of the range (exclusive).', update: 'in-place' }),
  },
  {
    description: 'An integer range `[Start, End)` a header value must fall in.',
    refine: (r, report) => {
      if (isResolved(r.Start) && isResolved(r.End) && r.Start >= r.End)
        report('End', `must be greater than Start (${r.Start}): the range is [Start, End), got ${r.End}`);
    },
  },
);

export const HeaderMatch = struct(
  'HeaderMatch',
  {
    Name: required(str({ min: 1, max: 50 }), { description: 'Header name.', update: 'in-place' }),
    Exact: optional(str({ min: 1, max: 255 }), {
      description: 'Header value equals this.',
      update: 'in-place',
    }),
    Prefix: optional(str({ min: 1, max: 255 }), {
      description: 'Header value starts with this.',
      update: 'in-place',
    }),
    Suffix: optional(str({ min: 1, max: 255 }), {
      description: 'Header value ends with this.',
      update: 'in-place',
    }),
    Regex: optional(str({ min: 1, max: 255 }), {
      description: 'Header value matches this regular expression.',
      update: 'in-place',
    }),
    Range: optional(MatchRange, {
      description: 'Header value is an integer in this range (App Mesh `match.range`).',
      update: 'in-place',
    }),
    Invert: withDefault(bool(), false, {
      description: 'Match requests that do NOT match.',
      update: 'in-place',
    }),
  },
  {
    description:
      'A header (or, on grpc, metadata) condition. Give at most one of Exact, Prefix, Suffix, Regex, Range (none: the header is present).',
    refine: (h, report) => {
      const given = HEADER_MATCH_KINDS.filter((k) => h[k] !== undefined);
      if (given.length > 1)
        report(given[1]!, `give at most one of ${HEADER_MATCH_KINDS.join(', ')} (got ${given.join(', ')})`);
    },
  },
);

export const QueryParameterMatch = struct(
  'QueryParameterMatch',
  {
    Name: required(str({ min: 1, max: 255 }), { description: 'Query parameter name.', update: 'in-place' }),
    Exact: optional(str({ min: 1, max: 255 }), {
      description: 'The parameter equals this value.',
      defaultDoc: 'the parameter is present, whatever its value',
      update: 'in-place',
    }),
  },
  { description: 'A query parameter condition of an http/http2 route or gateway route.' },
);

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

/** Match conditions routes and gateway routes declare alike. */
export const SHARED_MATCH_FIELDS = {
  Headers: optional(list(HeaderMatch, { min: 1, max: 10 }), {
    description: 'http/http2: header conditions (all must match).',
    update: 'in-place',
  }),
  QueryParameters: optional(list(QueryParameterMatch, { min: 1, max: 10 }), {
    description: 'http/http2: query parameter conditions (all must match).',
    update: 'in-place',
  }),
  Metadata: optional(list(HeaderMatch, { min: 1, max: 10 }), {
    description: 'grpc: metadata conditions (all must match).',
    update: 'in-place',
  }),
};

export type HeaderMatchProps = Infer<typeof HeaderMatch>;
