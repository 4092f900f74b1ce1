/**
 * The properties added for everything an App Mesh service on ECS can declare (TLS, timeouts, circuit breaking, log
 * format, richer matches, discovery options, versions): each refusal names the property and the rule, before any AWS
 * call; the Service Connect backend refuses each one it cannot honour, saying what to use instead.
 */

import { MeshServiceProperties, parseFor } from '../../lambda/backends';
import { parseWith } from '../../lambda/contract/dsl';

const base = { MeshName: 'ecs-mesh', ServiceName: 'web', Namespace: 'service.local', Port: '3000' };
const ACM = 'arn:aws:acm:us-east-1:111122223333:certificate/abc-123';
const PCA = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1';
const validation = { Trust: { CertificateChain: '/certs/ca.pem' } };
const outlier = {
  MaxServerErrors: '5',
  IntervalMillis: '10000',
  BaseEjectionDurationMillis: '30000',
  MaxEjectionPercent: '50',
};

const messages = (props: Record<string, unknown>): string[] => {
  const parsed = parseWith(MeshServiceProperties, { ...base, ...props });
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('GIVEN the new properties used as App Mesh allows', () => {
  test.each<[string, Record<string, unknown>]>([
    ['listener TLS from ACM', { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM } } }],
    [
      'a grpc service with http matches (for a gateway whose listener speaks http)',
      { Protocol: 'grpc', Gateway: { VirtualGatewayName: 'gw', Prefix: '/shop/', Method: 'POST' } },
    ],
    [
      'mutual TLS with files',
      {
        Tls: {
          Mode: 'PERMISSIVE',
          Certificate: { CertificateChain: '/c.pem', PrivateKey: '/k.pem' },
          Validation: { ...validation, SubjectAlternativeNames: ['a.local'] },
        },
      },
    ],
    [
      'client TLS with AWS Private CA trust and a client certificate',
      {
        Backends: ['b.local'],
        BackendDefaults: { ClientTls: { Validation: { Trust: { AcmCertificateAuthorityArns: [PCA] } } } },
        BackendPolicies: [
          {
            VirtualServiceName: 'b.local',
            ClientTls: {
              Ports: ['443'],
              Certificate: { CertificateChain: '/c.pem', PrivateKey: '/k.pem' },
              Validation: validation,
            },
          },
        ],
      },
    ],
    [
      'listener options of http',
      {
        ListenerTimeout: { PerRequestMillis: '30000' },
        OutlierDetection: outlier,
        ConnectionPool: { MaxConnections: '10', MaxPendingRequests: '5' },
      },
    ],
    ['listener options of grpc', { Protocol: 'grpc', ConnectionPool: { MaxRequests: '10' } }],
    [
      'listener options of tcp',
      { Protocol: 'tcp', ListenerTimeout: { IdleMillis: '1000' }, ConnectionPool: { MaxConnections: '10' } },
    ],
    ['a JSON log format', { AccessLogFormat: { Json: [{ Key: 'code', Value: '%RESPONSE_CODE%' }] } }],
    ['a text log format ending with a line break', { AccessLogFormat: { Text: '%RESPONSE_CODE%\n' } }],
    [
      'DNS options',
      {
        Namespace: undefined,
        DnsHostname: 'web.local',
        DnsResponseType: 'ENDPOINTS',
        IpPreference: 'IPv4_ONLY',
      },
    ],
    ['a node name other than the Cloud Map name', { VirtualNodeName: 'web-vn' }],
  ])('WHEN %s THEN it parses', (_what, props) => {
    expect(messages(props)).toEqual([]);
  });
});

describe('GIVEN a refusal of App Mesh (or of a rule App Mesh documents)', () => {
  test.each<[Record<string, unknown>, string]>([
    [
      { Tls: { Mode: 'STRICT', Certificate: {} } },
      'Tls.Certificate: give exactly one of AcmCertificateArn (ACM), CertificateChain with PrivateKey (files) or SdsSecretName (SDS)',
    ],
    [
      { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM, SdsSecretName: 's' } } },
      'Tls.Certificate: give exactly one of AcmCertificateArn (ACM), CertificateChain with PrivateKey (files) or SdsSecretName (SDS), got AcmCertificateArn, SdsSecretName',
    ],
    [
      { Tls: { Mode: 'STRICT', Certificate: { CertificateChain: '/c.pem' } } },
      'Tls.Certificate.PrivateKey: a file certificate needs both CertificateChain and PrivateKey',
    ],
    [
      { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: 'arn:aws:iam::111122223333:role/x' } } },
      'Tls.Certificate.AcmCertificateArn: expected an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got "arn:aws:iam::111122223333:role/x"',
    ],
    [
      { Tls: { Mode: 'strict', Certificate: { AcmCertificateArn: ACM } } },
      'Tls.Mode: expected one of STRICT, PERMISSIVE, DISABLED, got "strict"',
    ],
    [
      {
        Tls: {
          Mode: 'STRICT',
          Certificate: { AcmCertificateArn: ACM },
          Validation: { Trust: { AcmCertificateAuthorityArns: [PCA] } },
        },
      },
      'Tls.Validation.Trust.AcmCertificateAuthorityArns: unknown property; known properties are CertificateChain, SdsSecretName',
    ],
    [
      { Tls: { Mode: 'STRICT', Certificate: { CertificateChain: 'certs/c.pem', PrivateKey: '/k.pem' } } },
      'Tls.Certificate.CertificateChain: expected an absolute path without spaces, got "certs/c.pem"',
    ],
    [
      {
        Backends: ['b.local'],
        BackendPolicies: [{ VirtualServiceName: 'c.local', ClientTls: { Validation: validation } }],
      },
      'BackendPolicies[0].VirtualServiceName: "c.local" is not one of Backends; add it to Backends or remove its policy',
    ],
    [
      { BackendDefaults: { ClientTls: { Certificate: { AcmCertificateArn: ACM }, Validation: validation } } },
      'BackendDefaults.ClientTls.Certificate.AcmCertificateArn: unknown property; known properties are CertificateChain, PrivateKey, SdsSecretName',
    ],
    [
      {
        BackendDefaults: {
          ClientTls: { Validation: { Trust: { AcmCertificateAuthorityArns: [PCA, PCA] } } },
        },
      },
      `BackendDefaults.ClientTls.Validation.Trust.AcmCertificateAuthorityArns[1]: duplicate certificate authority "${PCA.slice(0, 57)}..." (also at BackendDefaults.ClientTls.Validation.Trust.AcmCertificateAuthorityArns[0])`,
    ],
    [
      { BackendDefaults: { ClientTls: {} } },
      'BackendDefaults.ClientTls.Validation: required property is missing',
    ],
    [
      {
        TaskDefinition: 'web:1',
        Tls: { Mode: 'STRICT', Certificate: { SdsSecretName: 'spiffe://x' } },
        Envoy: { LogLevel: 'debug' },
      },
      "Envoy.SdsSocketPath: required: Tls.Certificate.SdsSecretName names an SDS secret, and Envoy fetches it from the SDS agent's socket (APPMESH_SDS_SOCKET_PATH)",
    ],
    [
      { TaskDefinition: 'web:1', Tls: { Mode: 'STRICT', Certificate: { SdsSecretName: 'spiffe://x' } } },
      "Envoy: give Envoy.SdsSocketPath: Tls.Certificate.SdsSecretName names an SDS secret, and Envoy fetches it from the SDS agent's socket (APPMESH_SDS_SOCKET_PATH)",
    ],
    [
      { Protocol: 'tcp', ListenerTimeout: { PerRequestMillis: '1000' } },
      'ListenerTimeout.PerRequestMillis: a tcp listener has only an idle timeout',
    ],
    [
      { ConnectionPool: { MaxRequests: '10' } },
      'ConnectionPool.MaxRequests: not for a http listener, whose connection pool takes MaxConnections and MaxPendingRequests',
    ],
    [
      { ConnectionPool: { MaxPendingRequests: '10' } },
      'ConnectionPool.MaxConnections: required for a http listener',
    ],
    [
      { Protocol: 'grpc', ConnectionPool: { MaxConnections: '10' } },
      'ConnectionPool.MaxConnections: not for a grpc listener, whose connection pool takes MaxRequests',
    ],
    [
      { Protocol: 'tcp', ConnectionPool: { MaxConnections: '10', MaxPendingRequests: '1' } },
      'ConnectionPool.MaxPendingRequests: not for a tcp listener, whose connection pool takes MaxConnections',
    ],
    [
      { OutlierDetection: { ...outlier, MaxEjectionPercent: '101' } },
      'OutlierDetection.MaxEjectionPercent: expected an integer 0-100, got "101"',
    ],
    [
      { OutlierDetection: { ...outlier, MaxServerErrors: '0' } },
      'OutlierDetection.MaxServerErrors: expected an integer ≥ 1, got "0"',
    ],
    [
      { AccessLogPath: '', AccessLogFormat: { Text: '%RESPONSE_CODE%' } },
      'AccessLogFormat: access logging is off (AccessLogPath is ""); give AccessLogPath or remove AccessLogFormat',
    ],
    [
      { AccessLogFormat: { Text: 'x', Json: [{ Key: 'a', Value: 'b' }] } },
      'AccessLogFormat: give exactly one of Text and Json',
    ],
    [
      { AccessLogFormat: { Text: 'a\nb' } },
      'AccessLogFormat.Text: must not contain control characters (found U+000A at position 1)',
    ],
    [{ DnsResponseType: 'ENDPOINTS' }, 'DnsResponseType: only for DNS discovery (DnsHostname)'],
    [
      { IpPreference: 'IPV4_ONLY' },
      'IpPreference: expected one of IPv6_PREFERRED, IPv4_PREFERRED, IPv4_ONLY, IPv6_ONLY, got "IPV4_ONLY"',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Path: '/x', PathRegex: '.*' } }] },
      'Routes[0].Match: give one of Prefix, Path, PathRegex (got Path, PathRegex)',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Metadata: [{ Name: 'a' }] } }] },
      'Routes[0].Match.Metadata: only for grpc routes',
    ],
    [
      { Protocol: 'grpc', Routes: [{ Name: 'r', Match: { QueryParameters: [{ Name: 'a' }] } }] },
      'Routes[0].Match.QueryParameters: not a grpc match; use ServiceName, MethodName and Metadata',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Port: '8080' } }] },
      "Routes[0].Match.Port: must equal Port (3000), the router's only listener, got 8080",
    ],
    [
      { Routes: [{ Name: 'r', Targets: [{ Port: '8080' }] }] },
      "Routes[0].Targets[0].Port: must equal Port (3000), the virtual node's only listener, got 8080",
    ],
    [
      { Routes: [{ Name: 'r', Match: { Headers: [{ Name: 'v', Range: { Start: '5', End: '5' } }] } }] },
      'Routes[0].Match.Headers[0].Range.End: must be greater than Start (5): the range is [Start, End), got 5',
    ],
    [
      {
        Routes: [
          { Name: 'r', Match: { Headers: [{ Name: 'v', Exact: '1', Range: { Start: '1', End: '5' } }] } },
        ],
      },
      'Routes[0].Match.Headers[0].Range: give at most one of Exact, Prefix, Suffix, Regex, Range (got Exact, Range)',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', Hostname: 'a.example.com', HostnameSuffix: '.example.com' } },
      'Gateway.HostnameSuffix: give Hostname or HostnameSuffix, not both',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', Prefix: '/a/', Rewrite: { Path: '/b' } } },
      'Gateway.Rewrite.Path: a path rewrite needs a Path (exact) match',
    ],
    [
      {
        Gateway: { VirtualGatewayName: 'gw', Path: '/a', Rewrite: { Path: '/b', DefaultPrefix: 'ENABLED' } },
      },
      'Gateway.Rewrite: give Path or a prefix rewrite, not both',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', PathRegex: '.*', Rewrite: { DefaultPrefix: 'DISABLED' } } },
      'Gateway.Rewrite: a prefix rewrite needs a Prefix match, not Path',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', ServiceName: 'shop.Orders', Method: 'GET' } },
      "Gateway.ServiceName: a gateway route has one type, its gateway listener's protocol: ServiceName and Metadata match a grpcRoute, Method an httpRoute or http2Route; give the matches of one",
    ],
    [
      {
        Protocol: 'grpc',
        Gateway: {
          VirtualGatewayName: 'gw',
          Metadata: [{ Name: 'a' }],
          Rewrite: { DefaultPrefix: 'ENABLED' },
        },
      },
      "Gateway.Metadata: a gateway route has one type, its gateway listener's protocol: ServiceName and Metadata match a grpcRoute, Rewrite.DefaultPrefix an httpRoute or http2Route; give the matches of one",
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', TargetPort: '8080' } },
      "Gateway.TargetPort: must equal Port (3000), the only listener of the service's provider, got 8080",
    ],
  ])('WHEN %j THEN it is refused: %s', (props, message) => {
    expect(messages(props)).toContain(message);
  });
});

describe('GIVEN Versions and the service node', () => {
  test.each<[Record<string, unknown>, string]>([
    [
      {
        VirtualNodeName: 'web-vn',
        Versions: [
          { Name: 'a', DiscoveryAttributes: { v: 'a' }, Weight: '50' },
          { Name: 'b', DiscoveryAttributes: { v: 'b' }, Weight: '50' },
        ],
      },
      "VirtualNodeName: with Versions, names the node a version keeps: give that version KeepServiceNode: true, or move the name to the version's VirtualNodeName",
    ],
    [
      {
        Versions: [
          { Name: 'a', KeepServiceNode: 'true', DiscoveryAttributes: { v: 'a' }, Weight: '50' },
          { Name: 'b', KeepServiceNode: 'true', DiscoveryAttributes: { v: 'b' }, Weight: '50' },
        ],
      },
      "Versions[1].KeepServiceNode: only one version keeps the service's node; Versions[0] already does",
    ],
    [
      { Versions: [{ Name: 'a', KeepServiceNode: 'true', VirtualNodeName: 'other' }] },
      `Versions[0].VirtualNodeName: a version with KeepServiceNode keeps the service's node "web"; remove VirtualNodeName (or set the top-level VirtualNodeName)`,
    ],
    [
      { Versions: [{ Name: 'a', Tls: { Certificate: { SdsSecretName: 'a' } } }] },
      "Versions[0].Tls: overrides the service's listener TLS, which it has not; give Tls (its Mode and the other versions' certificate) too",
    ],
    [
      {
        Tls: { Mode: 'STRICT', Certificate: { SdsSecretName: 'web' } },
        Versions: [{ Name: 'a', Tls: {} }],
      },
      'Versions[0].Tls: give Certificate, Validation or both (what this version has of its own)',
    ],
    [
      {
        Tls: { Mode: 'STRICT', Certificate: { SdsSecretName: 'web' } },
        Versions: [{ Name: 'a', Tls: { Certificate: { CertificateChain: '/c.pem' } } }],
      },
      'Versions[0].Tls.Certificate.PrivateKey: a file certificate needs both CertificateChain and PrivateKey',
    ],
    [
      {
        TaskDefinition: undefined,
        Tls: { Mode: 'STRICT', Certificate: { CertificateChain: '/c.pem', PrivateKey: '/k.pem' } },
        Versions: [{ Name: 'a', TaskDefinition: 'web-a', Tls: { Certificate: { SdsSecretName: 'a' } } }],
        Envoy: {},
      },
      "Envoy.SdsSocketPath: required: Versions[0].Tls.Certificate.SdsSecretName names an SDS secret, and Envoy fetches it from the SDS agent's socket (APPMESH_SDS_SOCKET_PATH)",
    ],
  ])('WHEN %j THEN it is refused: %s', (props, message) => {
    expect(messages(props)).toContain(message);
  });

  test('WHEN a version keeps the service node THEN its node is the service node and it is the primary version', () => {
    const m = parseFor('AppMesh', {
      ...base,
      VirtualNodeName: 'web-vn',
      Versions: [
        { Name: 'a', KeepServiceNode: 'true', DiscoveryAttributes: { v: 'a' }, Weight: '50' },
        { Name: 'b', DiscoveryAttributes: { v: 'b' }, Weight: '50' },
      ],
    });
    expect(m.versions.map((v) => [v.nodeName, v.primary])).toEqual([
      ['web-vn', true],
      ['web-b', false],
    ]);
  });
});

describe('GIVEN Backend: ServiceConnect', () => {
  const sc = { Backend: 'ServiceConnect' };
  test.each<[Record<string, unknown>, string, RegExp]>([
    [
      { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM } } },
      'ServiceConnect.Tls',
      /needs the AWS Private CA that ECS issues the certificates from/,
    ],
    [
      { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM }, Validation: validation } },
      'Tls.Validation',
      /no mutual TLS/,
    ],
    [
      { BackendDefaults: { ClientTls: { Validation: validation } } },
      'BackendDefaults',
      /no client TLS policy/,
    ],
    [
      {
        Backends: ['b.local'],
        BackendPolicies: [{ VirtualServiceName: 'b.local', ClientTls: { Validation: validation } }],
      },
      'BackendPolicies',
      /no client TLS policy/,
    ],
    [{ ListenerTimeout: { IdleMillis: '1500' } }, 'ListenerTimeout.IdleMillis', /whole seconds/],
    [{ OutlierDetection: outlier }, 'OutlierDetection', /ejects failing endpoints by itself/],
    [{ ConnectionPool: { MaxConnections: '1' } }, 'ConnectionPool', /not configurable on Service Connect/],
    [{ Namespace: 'service.local', IpPreference: 'IPv4_ONLY' }, 'IpPreference', /address family/],
    [
      { Routes: [{ Name: 'r', Match: { QueryParameters: [{ Name: 'a' }] } }] },
      'Routes[0].Match',
      /path and method routes are not available on Service Connect/,
    ],
    [
      { Protocol: 'grpc', Routes: [{ Name: 'r', Match: { Metadata: [{ Name: 'a' }] } }] },
      'Routes[0].Match',
      /gRPC service and method routes are not available/,
    ],
    [
      { Routes: [{ Name: 'r', Targets: [{ Port: '3000' }] }] },
      'Routes[0].Targets[0].Port',
      /ClientAliasPort/,
    ],
  ])('WHEN %j THEN %s is refused, saying what to use instead', (props, path, reason) => {
    const found = messages({ ...sc, ...props }).filter((m) => m.startsWith(`${path}: `));
    expect(found).toEqual([expect.stringMatching(reason)]);
  });

  test('WHEN the App Mesh node naming is given THEN it is accepted and reported as ignored', () => {
    const m = parseFor('ServiceConnect', { ...base, ...sc, VirtualNodeName: 'web-vn' });
    expect(m.serviceConnect.warnings).toContainEqual(
      expect.objectContaining({ path: 'VirtualNodeName', message: expect.stringMatching(/^ignored/) }),
    );
  });
});
