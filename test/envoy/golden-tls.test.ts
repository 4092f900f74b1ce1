import { virtualNodeSpec } from '../../lambda/appmesh/desired';
import { buildEnvoyPatch } from '../../lambda/appmesh/envoy/patch';
import { taskRolePermissions } from '../../lambda/appmesh/envoy/permissions';
import { parseFor } from '../../lambda/backends';
import { frontendSource, patchInput } from './fixtures';

/** These properties are App Mesh's: the model is the App Mesh backend's. */
const parseProperties = (raw: unknown, accountId?: string) => parseFor('AppMesh', raw, accountId);

/**
 * Golden specs of examples/mtls.yaml (its intrinsic functions resolved): the virtual nodes App Mesh gets, field for
 * field, with the App Mesh API reference member each property maps to, and the Envoy patch of a task with TLS (what
 * the task role needs, the mounts, the SDS socket).
 */

const CA = 'arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/ca-1';
const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/orders-1';
const common = { MeshName: 'ecs-mesh', Namespace: 'service.local', Port: 3000 };

const orders = parseProperties({
  ...common,
  ServiceName: 'orders',
  Tls: {
    Mode: 'STRICT',
    Certificate: { AcmCertificateArn: CERT },
    Validation: {
      Trust: { CertificateChain: '/certs/ca.pem' },
      SubjectAlternativeNames: ['frontend.service.local'],
    },
  },
  ListenerTimeout: { PerRequestMillis: 30000 },
  OutlierDetection: {
    MaxServerErrors: 5,
    IntervalMillis: 10000,
    BaseEjectionDurationMillis: 30000,
    MaxEjectionPercent: 50,
  },
  ConnectionPool: { MaxConnections: 100, MaxPendingRequests: 50 },
  AccessLogFormat: { Json: [{ Key: 'status', Value: '%RESPONSE_CODE%' }] },
});

const frontend = parseProperties({
  ...common,
  ServiceName: 'frontend',
  Backends: ['orders.service.local'],
  BackendPolicies: [
    {
      VirtualServiceName: 'orders.service.local',
      ClientTls: {
        Certificate: { CertificateChain: '/certs/frontend.pem', PrivateKey: '/certs/frontend-key.pem' },
        Validation: { Trust: { AcmCertificateAuthorityArns: [CA] } },
      },
    },
  ],
});

describe('GIVEN the mutual TLS example WHEN the virtual nodes are built', () => {
  test('THEN the server node has listener TLS, mutual validation, timeouts, outlier detection, a connection pool and a JSON log format', () => {
    expect(virtualNodeSpec(orders, orders.versions[0]!)).toStrictEqual({
      listeners: [
        {
          // Listener.portMapping
          portMapping: { port: 3000, protocol: 'http' },
          // Listener.tls: ListenerTls { mode, certificate: ListenerTlsCertificate.acm, validation }
          tls: {
            mode: 'STRICT',
            certificate: { acm: { certificateArn: CERT } },
            validation: {
              trust: { file: { certificateChain: '/certs/ca.pem' } },
              subjectAlternativeNames: { match: { exact: ['frontend.service.local'] } },
            },
          },
          // Listener.timeout: ListenerTimeout.http (HttpTimeout)
          timeout: { http: { perRequest: { unit: 'ms', value: 30000 } } },
          // Listener.outlierDetection (durations in ms)
          outlierDetection: {
            maxServerErrors: 5,
            interval: { unit: 'ms', value: 10000 },
            baseEjectionDuration: { unit: 'ms', value: 30000 },
            maxEjectionPercent: 50,
          },
          // Listener.connectionPool: VirtualNodeConnectionPool.http
          connectionPool: { http: { maxConnections: 100, maxPendingRequests: 50 } },
        },
      ],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'service.local', serviceName: 'orders' } },
      // Logging.accessLog.file { path, format: LoggingFormat.json }
      logging: {
        accessLog: {
          file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } },
        },
      },
    });
  });

  test('THEN the client node has a client policy on its backend with AWS Private CA trust and a client certificate', () => {
    expect(virtualNodeSpec(frontend, frontend.versions[0]!)).toStrictEqual({
      listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'service.local', serviceName: 'frontend' } },
      // Backend.virtualService.clientPolicy.tls: ClientPolicyTls { enforce, certificate, validation }
      backends: [
        {
          virtualService: {
            virtualServiceName: 'orders.service.local',
            clientPolicy: {
              tls: {
                enforce: true,
                certificate: {
                  file: { certificateChain: '/certs/frontend.pem', privateKey: '/certs/frontend-key.pem' },
                },
                validation: { trust: { acm: { certificateAuthorityArns: [CA] } } },
              },
            },
          },
        },
      ],
      logging: { accessLog: { file: { path: '/dev/stdout' } } },
    });
  });

  test('THEN each task role needs only what its Envoy fetches from ACM / AWS Private CA', () => {
    expect(taskRolePermissions(orders, orders.versions[0]!)).toEqual([
      { action: 'acm:ExportCertificate', resources: [CERT], why: 'Tls.Certificate' },
    ]);
    expect(taskRolePermissions(frontend, frontend.versions[0]!)).toEqual([
      {
        action: 'acm-pca:GetCertificateAuthorityCertificate',
        resources: [CA],
        why: 'BackendPolicies[0].ClientTls',
      },
    ]);
  });
});

describe('GIVEN a task patched for a service with TLS', () => {
  const source = { ...frontendSource(), volumes: [{ name: 'certs' }, { name: 'spire' }] };
  const permissions = taskRolePermissions(orders, orders.versions[0]!);
  const patched = buildEnvoyPatch(
    patchInput({
      source,
      taskRolePermissions: permissions,
      envoy: {
        ...patchInput().envoy,
        sdsSocketPath: '/run/spire/sockets/agent.sock',
        mountPoints: [
          { sourceVolume: 'certs', containerPath: '/certs', readOnly: true },
          { sourceVolume: 'spire', containerPath: '/run/spire/sockets', readOnly: true },
        ],
      },
    }),
  );
  const envoy = patched.containerDefinitions!.find((c) => c.name === 'envoy')!;

  test('THEN the Envoy container says what its task role needs, mounts the volumes and knows the SDS socket', () => {
    expect(envoy.dockerLabels).toStrictEqual({
      'mesh-service.sidecar': 'envoy',
      'mesh-service.task-role-needs': 'acm:ExportCertificate',
    });
    expect(envoy.mountPoints).toStrictEqual([
      { sourceVolume: 'certs', containerPath: '/certs', readOnly: true },
      { sourceVolume: 'spire', containerPath: '/run/spire/sockets', readOnly: true },
    ]);
    expect(envoy.environment).toContainEqual({
      name: 'APPMESH_SDS_SOCKET_PATH',
      value: '/run/spire/sockets/agent.sock',
    });
  });

  test('WHEN the task has no task role THEN the refusal says everything the role needs', () => {
    expect(() =>
      buildEnvoyPatch(
        patchInput({ source: { ...source, taskRoleArn: undefined }, taskRolePermissions: permissions }),
      ),
    ).toThrow(
      `Task definition ecsdemo-frontend:3: no taskRoleArn; Envoy authenticates to App Mesh with the task role, which needs appmesh:StreamAggregatedResources on arn:aws:appmesh:us-west-2:123456789012:mesh/ecs-mesh/virtualNode/frontend (e.g. the managed policy AWSAppMeshEnvoyAccess), acm:ExportCertificate on ${CERT} (Tls.Certificate); set TaskRoleArn`,
    );
  });

  test('WHEN a mount point names a volume the task does not have THEN the patch refuses it', () => {
    expect(() =>
      buildEnvoyPatch(
        patchInput({
          envoy: {
            ...patchInput().envoy,
            mountPoints: [{ sourceVolume: 'certs', containerPath: '/certs', readOnly: true }],
          },
        }),
      ),
    ).toThrow(/Envoy.MountPoints names volume "certs", which the task definition does not have/);
  });
});
