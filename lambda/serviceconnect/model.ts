/**
 * The Service Connect backend's service model: what a `Custom::MeshService` with `Backend: ServiceConnect` declares,
 * with every default resolved, and its identity, the physical id `service-connect/<namespace>/service/<name>`. Built
 * from properties that passed the contract, which has refused what Service Connect cannot honour (contract.ts): one
 * version, at most one route. Pure: no AWS calls.
 */
import { parseTaskDefinitionRef } from '../contract/task-definition-ref';
import { type CoreModel, type CoreVersion, defaultVirtualServiceName, healthCheckModel } from '../model';
import { type Finding, type ServiceConnectServiceProps, serviceConnectWarnings } from './contract';
import { parseServiceConnectId, serviceConnectIdOf } from './identity';
import { type IngressModel, ingressModel } from './ingress';
import { type ProxyModel, proxyModel, timeoutMillisOf } from './proxy';
import { type RolloutModel, rolloutModel } from './rollout';

export { parseServiceConnectId, serviceConnectIdOf };

/** What the ECS service's ServiceConnectConfiguration is wired to. */
export interface ServiceConnectModel {
  /** The Cloud Map namespace (its name). */
  readonly namespace: string;
  readonly createNamespace: boolean;
  /** The Cloud Map service ECS creates for the ECS service: ServiceName. */
  readonly discoveryName: string;
  /** What clients call (VirtualServiceName, or its default); undefined for an Edge service (a client only). */
  readonly clientAlias?: { readonly dnsName: string; readonly port: number };
  /** The port mapping's appProtocol; undefined for tcp (ECS then proxies TCP). */
  readonly appProtocol?: 'http' | 'http2' | 'grpc';
  /** From the route's Timeout, or else ListenerTimeout, in seconds. */
  readonly timeout?: { readonly idleSeconds?: number; readonly perRequestSeconds?: number };
  /** The ECS-native rollout (rollout.ts): with two versions, the one the ECS service runs. */
  readonly rollout?: RolloutModel;
  /** The ALB listener rule and target group of the gateway route (ingress.ts). */
  readonly ingress?: IngressModel;
  /** Access logs and TLS of the Service Connect proxy (proxy.ts). */
  readonly proxy: ProxyModel;
  /** Accepted but not carried over (contract.ts). */
  readonly warnings: readonly Finding[];
}

export interface ServiceConnectServiceModel extends CoreModel {
  readonly backend: 'ServiceConnect';
  readonly serviceConnect: ServiceConnectModel;
  /** One version, or the two of a rollout. */
  readonly versions: readonly CoreVersion[];
}

export function buildServiceConnectModel(p: ServiceConnectServiceProps): ServiceConnectServiceModel {
  const virtualServiceName = p.Edge ? undefined : (p.VirtualServiceName ?? defaultVirtualServiceName(p));
  const timeoutMillis = timeoutMillisOf(p);
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const idleSeconds = seconds(timeoutMillis?.IdleMillis);
  const perRequestSeconds = seconds(timeoutMillis?.PerRequestMillis);
  const rollout = rolloutModel(p);
  const timeout = {
    ...(idleSeconds !== undefined ? { idleSeconds } : {}),
    ...(perRequestSeconds !== undefined ? { perRequestSeconds } : {}),
  };
  // The contract requires one of them with ServiceConnect.
  const namespace = (p.ServiceConnect?.Namespace ?? p.Namespace)!;
  const versions: CoreVersion[] = (p.Versions ?? [{ Name: undefined, TaskDefinition: p.TaskDefinition }]).map(
    (v) => {
      const taskDefinition =
        v.TaskDefinition !== undefined ? parseTaskDefinitionRef(v.TaskDefinition) : undefined;
      return {
        ...(v.Name !== undefined ? { name: v.Name } : {}),
        ...(taskDefinition ? { taskDefinition } : {}),
      };
    },
  );
  const healthCheck = healthCheckModel(p);
  const physicalId = serviceConnectIdOf({ namespace, serviceName: p.ServiceName });
  const ingress = ingressModel(p, physicalId, healthCheck, virtualServiceName);
  return {
    backend: 'ServiceConnect',
    physicalId,
    serviceName: p.ServiceName,
    port: p.Port,
    protocol: p.Protocol,
    ...(healthCheck ? { healthCheck } : {}),
    versions,
    tags: p.Tags.map((t) => ({ key: t.Key, value: t.Value })),
    serviceConnect: {
      namespace,
      createNamespace: p.ServiceConnect?.CreateNamespace ?? false,
      discoveryName: p.ServiceName,
      ...(virtualServiceName !== undefined
        ? { clientAlias: { dnsName: virtualServiceName, port: p.Port } }
        : {}),
      ...(p.Protocol !== 'tcp' ? { appProtocol: p.Protocol } : {}),
      ...(Object.keys(timeout).length ? { timeout } : {}),
      ...(rollout ? { rollout } : {}),
      ...(ingress ? { ingress } : {}),
      proxy: proxyModel(p),
      warnings: [...serviceConnectWarnings(p), ...(ingress?.warnings ?? [])],
    },
  };
}
