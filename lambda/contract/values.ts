/**
 * The building blocks of the `Custom::MeshService` contract: its constants, and the value types (names, hostnames,
 * ports, paths, tags, ARNs) its sections share. Every section of the contract (service.ts, listener.ts, tls.ts,
 * matches.ts, routes.ts, versions.ts, gateway.ts, envoy.ts, and each backend's own contract.ts) builds on these;
 * properties.ts composes them.
 */
import { int, isResolved, map, str, type Unresolved } from './dsl';
import { parseTaskDefinitionRef } from './task-definition-ref';

export const RESOURCE_TYPE = 'Custom::MeshService';
/** Tag keys in this namespace mark what the provider owns; template authors may not set them. */
export const TAG_PREFIX = 'mesh-service:';
/**
 * ECS and App Mesh allow 50 tags; the provider keeps 14 for ownership and bookkeeping (3 ownership tags, and on
 * virtual nodes the task family and up to 10 tags recording retired families).
 */
export const MAX_USER_TAGS = 36;

export const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * App Mesh names. The API models give only a length, but a name is addressed in ARNs and URL paths (a `/` cannot
 * be) and in Envoy's cluster and statistics names, so the provider allows the characters every AWS example uses.
 */
export const resourceName = () =>
  str({
    min: 1,
    max: 255,
    pattern: /^[A-Za-z0-9._-]+$/,
    patternHint: 'a name of 1-255 letters, digits, periods, hyphens and underscores',
  });
/** ECS and App Mesh tags: letters, digits and spaces of any script and `_ . : / = + - @`, as the whole string. */
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const TAG_TEXT_HINT = 'letters, digits, spaces and _ . : / = + - @ only';
export const reservedByAws = (what: string) => (v: string) =>
  v.toLowerCase().startsWith('aws:') ? `tag ${what} starting with aws: are reserved by AWS` : undefined;
/** DNS label: Cloud Map service names and the version suffix of virtual node names. */
export const label = (max: number) =>
  str({
    min: 1,
    max,
    pattern: new RegExp(`^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,${max - 2}}[A-Za-z0-9_])?$`),
    patternHint: `a name of 1-${max} letters, digits, hyphens and underscores, not starting or ending with a hyphen`,
  });
export const hostname = () =>
  str({
    min: 1,
    max: 253,
    pattern:
      /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/,
    patternHint: 'a DNS name such as service.local',
  });
export const port = () => int({ min: 1, max: 65535 });
export const millis = (min = 0, max?: number) => int({ min, ...(max !== undefined ? { max } : {}) });
export const pathPrefix = () =>
  str({
    min: 1,
    max: 255,
    pattern: /^\//,
    patternHint: 'a path starting with "/"',
    check: (v) =>
      v.startsWith('/aws-appmesh')
        ? 'prefixes starting with /aws-appmesh are reserved by App Mesh'
        : undefined,
  });
export const taskDefinitionRef = () =>
  str({
    min: 1,
    max: 2048,
    check: (v) =>
      parseTaskDefinitionRef(v)
        ? undefined
        : `expected a task definition ARN or family[:revision], got ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`,
  });
export const attributes = () =>
  map(
    str({ min: 1, max: 255, pattern: /^[a-zA-Z0-9!-~]+$/, patternHint: 'printable ASCII without spaces' }),
    str({ min: 1, max: 1024 }),
    { max: 10 },
  );

export const absolutePath = () =>
  str({ min: 1, max: 255, pattern: /^\/[^\s]*$/, patternHint: 'an absolute path without spaces' });

export const acmArn = (service: 'acm' | 'acm-pca', resource: string, words: string) =>
  str({
    min: 1,
    max: 2048,
    pattern: new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:${resource}/[A-Za-z0-9-]+$`),
    patternHint: words,
  });

/** A value the template gives and CloudFormation has resolved. */
export const known = <T>(v: T | Unresolved | undefined): v is T => v !== undefined && isResolved(v);

/** Where a rule reports a problem: the property path as a template author writes it, and the rule. */
export type Report = (path: string, message: string) => void;
