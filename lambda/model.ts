/**
 * The service model's core: what every backend's model holds (its identity, port, protocol, versions, tags and health
 * check, with every default resolved), and the parts of it that more than one backend builds alike (matches,
 * certificate sources). Each backend builds its own model from the contract (appmesh/model.ts,
 * serviceconnect/model.ts); lambda/backends.ts parses properties into the one the template names. Pure: no AWS calls.
 */
import type { HeaderMatchProps, HealthCheckProps, Protocol } from './contract/properties';
import type { TaskDefinitionRef } from './contract/task-definition-ref';

export type { Protocol, TaskDefinitionRef };

/** What a backend's version has at least: its name (none for the implicit one) and the task definition it prepares. */
export interface CoreVersion {
  /** Undefined for the implicit version of a single-version service. */
  readonly name?: string;
  readonly taskDefinition?: TaskDefinitionRef;
}

export interface HealthCheckModel {
  readonly protocol: Protocol;
  readonly port: number;
  readonly path?: string;
  readonly intervalMillis: number;
  readonly timeoutMillis: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** What every backend's service model holds. */
export interface CoreModel {
  /** The `Backend` that realises it (the backend's name in lambda/backends.ts). */
  readonly backend: string;
  /** Its identity: deterministic (never the RequestId), so a re-delivered Create returns the same id. */
  readonly physicalId: string;
  readonly serviceName: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly healthCheck?: HealthCheckModel;
  readonly versions: readonly CoreVersion[];
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

export function healthCheckModel(p: {
  readonly Protocol: Protocol;
  readonly Port: number;
  readonly HealthCheck?: HealthCheckProps | undefined;
}): HealthCheckModel | undefined {
  const h = p.HealthCheck;
  if (!h) return undefined;
  return {
    protocol: h.Protocol ?? p.Protocol,
    port: h.Port ?? p.Port,
    ...(h.Path !== undefined ? { path: h.Path } : {}),
    intervalMillis: h.IntervalMillis,
    timeoutMillis: h.TimeoutMillis,
    healthyThreshold: h.HealthyThreshold,
    unhealthyThreshold: h.UnhealthyThreshold,
  };
}

/** The name clients call by default: `<ServiceName>.<Namespace>` with Cloud Map, the DNS hostname with DNS. */
export function defaultVirtualServiceName(p: {
  readonly ServiceName: string;
  readonly Namespace?: string | undefined;
  readonly DnsHostname?: string | undefined;
}): string {
  return p.Namespace !== undefined ? `${p.ServiceName}.${p.Namespace}` : p.DnsHostname!;
}

/** Task families of a model's versions, each once. */
export const familiesOf = (m: { readonly versions: readonly CoreVersion[] } | undefined): string[] => [
  ...new Set((m?.versions ?? []).flatMap((v) => (v.taskDefinition ? [v.taskDefinition.family] : []))),
];

export interface HeaderMatchModel {
  readonly name: string;
  readonly match?:
    | { readonly kind: 'exact' | 'prefix' | 'suffix' | 'regex'; readonly value: string }
    | { readonly kind: 'range'; readonly start: number; readonly end: number };
  readonly invert: boolean;
}

export interface QueryParameterModel {
  readonly name: string;
  readonly exact?: string;
}

export function headerModels(headers: readonly HeaderMatchProps[] | undefined): HeaderMatchModel[] {
  return (headers ?? []).map((h) => {
    const kinds = ['Exact', 'Prefix', 'Suffix', 'Regex'] as const;
    const kind = kinds.find((k) => h[k] !== undefined);
    const match: HeaderMatchModel['match'] = h.Range
      ? { kind: 'range', start: h.Range.Start, end: h.Range.End }
      : kind
        ? { kind: kind.toLowerCase() as 'exact' | 'prefix' | 'suffix' | 'regex', value: h[kind]! }
        : undefined;
    return { name: h.Name, ...(match ? { match } : {}), invert: h.Invert };
  });
}

export function queryModels(
  params: readonly { Name: string; Exact?: string | undefined }[] | undefined,
): QueryParameterModel[] {
  return (params ?? []).map((q) => ({ name: q.Name, ...(q.Exact !== undefined ? { exact: q.Exact } : {}) }));
}

/** Where a certificate or trust bundle comes from. */
export type CertificateSource =
  | { readonly kind: 'acm'; readonly certificateArn: string }
  | { readonly kind: 'file'; readonly certificateChain: string; readonly privateKey: string }
  | { readonly kind: 'sds'; readonly secretName: string };
export type TrustSource =
  | { readonly kind: 'acm'; readonly certificateAuthorityArns: readonly string[] }
  | { readonly kind: 'file'; readonly certificateChain: string }
  | { readonly kind: 'sds'; readonly secretName: string };

export interface TlsValidationModel {
  readonly trust: TrustSource;
  readonly subjectAlternativeNames: readonly string[];
}

type TrustProps = {
  AcmCertificateAuthorityArns?: string[];
  CertificateChain?: string;
  SdsSecretName?: string;
};
type CertificateProps = {
  AcmCertificateArn?: string;
  CertificateChain?: string;
  PrivateKey?: string;
  SdsSecretName?: string;
};

/** The contract has checked that exactly one source is given. */
export function certificateSource(c: CertificateProps): CertificateSource {
  if (c.AcmCertificateArn !== undefined) return { kind: 'acm', certificateArn: c.AcmCertificateArn };
  if (c.SdsSecretName !== undefined) return { kind: 'sds', secretName: c.SdsSecretName };
  return { kind: 'file', certificateChain: c.CertificateChain!, privateKey: c.PrivateKey! };
}

function trustSource(t: TrustProps): TrustSource {
  if (t.AcmCertificateAuthorityArns !== undefined)
    return { kind: 'acm', certificateAuthorityArns: [...t.AcmCertificateAuthorityArns] };
  if (t.SdsSecretName !== undefined) return { kind: 'sds', secretName: t.SdsSecretName };
  return { kind: 'file', certificateChain: t.CertificateChain! };
}

export function validationModel(v: {
  Trust: TrustProps;
  SubjectAlternativeNames?: string[] | undefined;
}): TlsValidationModel {
  return { trust: trustSource(v.Trust), subjectAlternativeNames: [...(v.SubjectAlternativeNames ?? [])] };
}
