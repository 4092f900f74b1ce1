/**
 * Which service a request is for (emulator/pipeline.ts `recognise`), including the seams for services of a
 * protocol that already has one: a query service told apart by the service its SigV4 credential scope names, a
 * REST-JSON service by its own paths. The stand-ins are the real models with another identity, not new services.
 */
import { loadModel, type ServiceModel } from '../../emulator/model/model';
import { recognise } from '../../emulator/pipeline';
import { json11Protocol } from '../../emulator/protocol/json11';
import { queryProtocol } from '../../emulator/protocol/query';
import { restJsonProtocol } from '../../emulator/protocol/rest-json';
import type { RequestHead } from '../../emulator/protocol/wire';

const appmesh = loadModel('appmesh-2019-01-25.json');
const cloudformation = loadModel('cloudformation-2010-05-15.json');

/** A REST-JSON model whose request URIs are not under one base path, as VPC Lattice's are not. */
const latticeLike: ServiceModel = {
  ...appmesh,
  metadata: { ...appmesh.metadata, serviceId: 'Lattice-like', signingName: 'vpc-lattice' },
  operations: {
    ListServices: { name: 'ListServices', http: { method: 'GET', requestUri: '/services' } },
    GetTargetGroup: { name: 'GetTargetGroup', http: { method: 'GET', requestUri: '/targetgroups/{id}' } },
  },
};
/** A query model signed as Elastic Load Balancing v2 is. */
const elbLike: ServiceModel = {
  ...cloudformation,
  metadata: { ...cloudformation.metadata, serviceId: 'ELB-like', endpointPrefix: 'elasticloadbalancing' },
};

const services = [
  { name: 'appmesh', protocol: restJsonProtocol(appmesh, 'BadRequestException') },
  { name: 'ecs', protocol: json11Protocol(loadModel('ecs-2014-11-13.json')) },
  { name: 'servicediscovery', protocol: json11Protocol(loadModel('servicediscovery-2017-03-14.json')) },
  { name: 'cloudformation', protocol: queryProtocol(cloudformation) },
  { name: 'lattice-like', protocol: restJsonProtocol(latticeLike, 'ValidationException') },
  { name: 'elb-like', protocol: queryProtocol(elbLike) },
];

const signedFor = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=EMULATOR111122223333/20260101/us-east-1/${service}/aws4_request, ` +
  'SignedHeaders=host;x-amz-date, Signature=0123abcd';

function head(method: string, path: string, headers: Record<string, string> = {}): RequestHead {
  return { method, url: new URL(path, 'http://emulator.local'), headers };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

const ECS_TARGET = { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListTaskDefinitions' };
const CLOUD_MAP_TARGET = { 'x-amz-target': 'Route53AutoNaming_v20170314.ListNamespaces' };
const OTHER_TARGET = { 'x-amz-target': 'DynamoDB_20120810.ListTables' };
const formSignedFor = (service: string) => ({ ...FORM, authorization: signedFor(service) });

test.each<[string, string, RequestHead]>([
  ['an App Mesh path', 'appmesh', head('GET', '/v20190125/meshes')],
  ['a path of the Lattice-like service', 'lattice-like', head('GET', '/services')],
  ['a labelled path of the Lattice-like service', 'lattice-like', head('GET', '/targetgroups/tg-1')],
  ['a path no REST-JSON service has (the first answers 404)', 'appmesh', head('GET', '/somewhere')],
  ['an ECS target', 'ecs', head('POST', '/', ECS_TARGET)],
  ['a Cloud Map target', 'servicediscovery', head('POST', '/', CLOUD_MAP_TARGET)],
  [
    'a target no JSON service has (the first answers UnknownOperation)',
    'ecs',
    head('POST', '/', OTHER_TARGET),
  ],
  [
    'a form POST signed for cloudformation',
    'cloudformation',
    head('POST', '/', formSignedFor('cloudformation')),
  ],
  [
    'a form POST signed for elasticloadbalancing',
    'elb-like',
    head('POST', '/', formSignedFor('elasticloadbalancing')),
  ],
  ['an unsigned form POST (the first query service answers)', 'cloudformation', head('POST', '/', FORM)],
  ['a form POST signed for another service', 'cloudformation', head('POST', '/', formSignedFor('appmesh'))],
  [
    'a form POST not to / (REST-JSON)',
    'lattice-like',
    head('POST', '/services', formSignedFor('elasticloadbalancing')),
  ],
])('GIVEN %s THEN it is for %s', (_what, service, request) => {
  expect(recognise(services, request).name).toBe(service);
});

/** The real VPC Lattice entry, as the table has it: after App Mesh, whose 404 answers what no path claims. */
const withLattice = [
  ...services.filter((s) => s.name !== 'lattice-like'),
  {
    name: 'vpclattice',
    protocol: restJsonProtocol(loadModel('vpc-lattice-2022-11-30.json'), 'ValidationException'),
  },
];

test.each<[string, string, RequestHead]>([
  ['a VPC Lattice target group path', 'vpclattice', head('GET', '/targetgroups/tg-0123456789abcdef0')],
  ['a VPC Lattice tags path', 'vpclattice', head('GET', '/tags/arn%3Aaws%3Avpc-lattice%3Aus-east-1')],
  ['a VPC Lattice auth policy path', 'vpclattice', head('PUT', '/authpolicy/svc-0123456789abcdef0')],
  ['a VPC Lattice access log path', 'vpclattice', head('GET', '/accesslogsubscriptions')],
  ['an App Mesh path beside it', 'appmesh', head('GET', '/v20190125/meshes')],
])('GIVEN %s THEN it is for %s', (_what, service, request) => {
  expect(recognise(withLattice, request).name).toBe(service);
});
