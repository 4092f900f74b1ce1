/**
 * Static helpers for the shapes of the contract the construct's props take, as aws-appmesh has them
 * (`HealthCheck.http({ path, interval })`, `Route.weighted(...)`, `Match.header(...)`). Each returns the generated
 * props interface (mesh-service-props.generated.ts), so what they build is checked at synth like any prop.
 */
import {
  type MeshServiceHeaderMatch,
  type MeshServiceHealthCheck,
  type MeshServiceQueryParameterMatch,
  type MeshServiceRetryPolicy,
  type MeshServiceRoute,
  type MeshServiceRouteMatch,
  type MeshServiceRouteTimeout,
  Protocol,
} from './mesh-service-props.generated';

/** The listener health check of a protocol. */
export class HealthCheck {
  /** An HTTP health check: `HealthCheck.http({ path: '/health', interval: Duration.seconds(10) })`. */
  static http(options: MeshServiceHealthCheck = {}): MeshServiceHealthCheck {
    return HealthCheck.of(Protocol.HTTP, options);
  }
  /** An HTTP/2 health check. */
  static http2(options: MeshServiceHealthCheck = {}): MeshServiceHealthCheck {
    return HealthCheck.of(Protocol.HTTP2, options);
  }
  /** A gRPC health check (the gRPC health checking protocol; no path). */
  static grpc(options: MeshServiceHealthCheck = {}): MeshServiceHealthCheck {
    return HealthCheck.of(Protocol.GRPC, options);
  }
  /** A TCP health check (a connection; no path). */
  static tcp(options: MeshServiceHealthCheck = {}): MeshServiceHealthCheck {
    return HealthCheck.of(Protocol.TCP, options);
  }

  private static of(protocol: Protocol, options: MeshServiceHealthCheck): MeshServiceHealthCheck {
    if (options.protocol !== undefined && options.protocol !== protocol) {
      throw new Error(
        `HealthCheck.${protocol}: options.protocol is ${options.protocol}; leave it out (the helper sets ${protocol})`,
      );
    }
    return { ...options, protocol };
  }

  private constructor() {}
}

/** What a route takes besides its name and targets. */
export interface RouteOptions {
  /**
   * Which requests the route takes.
   * @default all requests
   */
  readonly match?: MeshServiceRouteMatch;
  /**
   * Route priority; 0 is the highest.
   * @default none
   */
  readonly priority?: number;
  /**
   * Retry policy (not for tcp).
   * @default none
   */
  readonly retry?: MeshServiceRetryPolicy;
  /**
   * Timeouts.
   * @default App Mesh's
   */
  readonly timeout?: MeshServiceRouteTimeout;
}

/** A route of the virtual router in front of the versions. */
export class Route {
  /**
   * A route sharing requests between versions by weight, in the order given:
   * `Route.weighted('canary', { blue: 90, green: 10 })`.
   */
  static weighted(
    name: string,
    weights: { [version: string]: number },
    options: RouteOptions = {},
  ): MeshServiceRoute {
    const targets = Object.entries(weights).map(([version, weight]) => ({ version, weight }));
    if (targets.length === 0)
      throw new Error(`Route.weighted ${name}: give at least one version and its weight`);
    return { ...options, name, targets };
  }

  /** A route sending all its requests to one version: `Route.to('beta', 'green', { match: Match.pathPrefix('/beta') })`. */
  static to(name: string, version: string, options: RouteOptions = {}): MeshServiceRoute {
    return { ...options, name, targets: [{ version, weight: 100 }] };
  }

  private constructor() {}
}

/** Conditions on requests: headers, query parameters, paths. */
export class Match {
  /** The header has exactly this value. */
  static header(name: string, value: string): MeshServiceHeaderMatch {
    return { name, exact: value };
  }
  /** The header is present, whatever its value. */
  static headerPresent(name: string): MeshServiceHeaderMatch {
    return { name };
  }
  /** The header's value starts with this. */
  static headerPrefix(name: string, prefix: string): MeshServiceHeaderMatch {
    return { name, prefix };
  }
  /** The header's value ends with this. */
  static headerSuffix(name: string, suffix: string): MeshServiceHeaderMatch {
    return { name, suffix };
  }
  /** The header's value matches this regular expression. */
  static headerRegex(name: string, regex: string): MeshServiceHeaderMatch {
    return { name, regex };
  }
  /** The header's value is an integer in `[start, end)`. */
  static headerInRange(name: string, start: number, end: number): MeshServiceHeaderMatch {
    return { name, range: { start, end } };
  }
  /** The requests a header condition does not match. */
  static not(match: MeshServiceHeaderMatch): MeshServiceHeaderMatch {
    return { ...match, invert: !match.invert };
  }
  /** The query parameter is present (with this value, when given). */
  static queryParameter(name: string, value?: string): MeshServiceQueryParameterMatch {
    return value === undefined ? { name } : { name, exact: value };
  }
  /** Requests whose path starts with this prefix, and that meet every header condition given. */
  static pathPrefix(prefix: string, headers?: MeshServiceHeaderMatch[]): MeshServiceRouteMatch {
    return headers?.length ? { prefix, headers } : { prefix };
  }
  /** Requests for exactly this path, and that meet every header condition given. */
  static path(path: string, headers?: MeshServiceHeaderMatch[]): MeshServiceRouteMatch {
    return headers?.length ? { path, headers } : { path };
  }

  private constructor() {}
}
