/**
 * The `Custom::MeshService` property contract: the single source of truth for what a template may say.
 * The handler parses with it; docs/mesh-service.md, schema/mesh-service.schema.json and the CDK construct's
 * props are generated from it (scripts/generate.ts) and tests fail when they drift.
 *
 * This file composes the sections, each holding its structures and its rules side by side: service.ts (identity,
 * discovery, port, health check, tags), listener.ts (TLS, timeouts, outlier detection, connection pool, backends,
 * access logs) with tls.ts, routes.ts with matches.ts, versions.ts, gateway.ts, envoy.ts; values.ts holds what they
 * share. A backend adds its own section (its `contract.ts`, a `BackendContract`): lambda/backends.ts passes the
 * backends to `meshServiceContract`, so nothing here knows a backend by name.
 */
import { type Field, type Fields, type StructOutput, struct } from './dsl';
import { envoyFields, envoyRules, tlsRules } from './envoy';
import { type GatewayProps, gatewayFields, gatewayRules } from './gateway';
import { listenerFields, listenerRules } from './listener';
import { routeFields, routeRules } from './routes';
import { discoveryRules, dnsHostnameRules, healthCheckRules, serviceFields, tagFields } from './service';
import { known, type Report } from './values';
import { versionFields, versionsRules } from './versions';

export type { EnvoyProps } from './envoy';
export { DEFAULT_ENVOY_VERSION } from './envoy';
export type { HeaderMatchProps } from './matches';
export type { RouteProps } from './routes';
export type { HealthCheckProps } from './service';
export type { ClientTlsProps } from './tls';
export {
  MAX_USER_TAGS,
  PROTOCOLS,
  type Protocol,
  RESOURCE_TYPE,
  type Report,
  TAG_PREFIX,
} from './values';
export type { VersionProps } from './versions';
export type { GatewayProps };

/** Every property but Backend and the backends' own, in the order the docs and the schema list them. */
export const coreFields = {
  ...serviceFields,
  ...listenerFields,
  ...routeFields,
  ...versionFields,
  ...gatewayFields,
  ...envoyFields,
  ...tagFields,
};
export type CoreProps = StructOutput<typeof coreFields>;

/** A backend's part of the contract. */
export interface BackendContract<F extends Fields = Fields> {
  /** Its `Backend` value. */
  readonly name: string;
  /** Its own properties (e.g. `ServiceConnect`), refused with any other Backend. */
  readonly fields: F;
  /**
   * What it refuses of the core properties, run before the core rules when the template names this backend. Like
   * every rule, tolerant of values only CloudFormation can resolve (Unresolved).
   */
  rules?(p: CoreProps & StructOutput<F>, report: Report): void;
}

/** The rules that span core properties. They must tolerate Unresolved values (the offline template linter). */
export function coreRules(p: CoreProps, report: Report): void {
  discoveryRules(p, report);
  const versions = known(p.Versions) ? p.Versions.filter(known) : undefined;
  versionsRules(p, versions, report);
  const protocol = known(p.Protocol) ? p.Protocol : undefined;
  const port = known(p.Port) ? p.Port : undefined;
  if (known(p.Routes)) {
    p.Routes.forEach((route, i) => {
      if (known(route)) routeRules(route, `Routes[${i}]`, protocol, port, versions, report);
    });
  }
  healthCheckRules(p, protocol, report);
  if (known(p.Gateway)) gatewayRules(p.Gateway, protocol, port, report);
  listenerRules(p, protocol, report);
  tlsRules(p, versions, report);
  envoyRules(p, versions, report);
  dnsHostnameRules(p, report);
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
/** The fields of every backend in the list. */
export type BackendFields<B extends readonly BackendContract[]> = UnionToIntersection<B[number]['fields']> &
  Fields;

/**
 * The whole contract: the core properties, `Backend` (whose values are the backends' names), then each backend's
 * own properties in the order given.
 */
export function meshServiceContract<N extends string, const B extends readonly BackendContract[]>(
  backend: Field<N, false, true>,
  backends: B,
) {
  const own = Object.assign({}, ...backends.map((b) => b.fields)) as BackendFields<B>;
  const fields = { ...coreFields, Backend: backend, ...own };
  return struct('MeshServiceProperties', fields, {
    ignore: ['ServiceToken', 'ServiceTimeout'],
    description: 'Properties of Custom::MeshService.',
    refine: (p, report) => {
      const values = p as unknown as CoreProps & { readonly Backend: unknown } & Record<string, unknown>;
      if (known(values.Backend)) {
        for (const b of backends) {
          if (values.Backend === b.name) b.rules?.(values, report);
          else {
            for (const key of Object.keys(b.fields))
              if (values[key] !== undefined) report(key, `only with Backend: ${b.name}`);
          }
        }
      }
      coreRules(values, report);
    },
  });
}
