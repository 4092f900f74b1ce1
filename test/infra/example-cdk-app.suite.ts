import { Match, Template } from 'aws-cdk-lib/assertions';
import { validateTemplate } from '../../cli/validate';
import { NodejsServiceStack } from '../../examples/cdk-app/app';
import { plainApp } from './plain-app';

test('GIVEN the example CDK app WHEN it is synthesized THEN its Custom::MeshService passes the provider validation and the ECS service runs the patched revision', () => {
  const app = plainApp();
  const stack = new NodejsServiceStack(app, 'NodejsService');
  const template = Template.fromStack(stack);
  expect(validateTemplate(JSON.stringify(template.toJSON()))).toEqual({
    services: ['Nodejs8613E39A'],
    findings: [],
  });
  template.hasResourceProperties('AWS::ECS::Service', {
    TaskDefinition: { 'Fn::GetAtt': ['Nodejs8613E39A', 'TaskDefinitionArn'] },
  });
  // The grant (the construct applies it to the ecsTaskDefinition) and the role path the provider's default policy
  // asks for.
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    Tags: [{ Key: 'mesh-service:allowed-stacks', Value: { Ref: 'AWS::StackId' } }],
  });
  expect(Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties.Path)).toEqual([
    '/mesh-service/',
    '/mesh-service/',
  ]);
  template.hasResourceProperties('Custom::MeshService', {
    ServiceToken: { 'Fn::ImportValue': 'MeshServiceProvider-ServiceToken' },
    ServiceName: 'ecsdemo-nodejs',
    Port: 3000,
    HealthCheck: { Protocol: 'http', Path: '/health', IntervalMillis: 5000 },
    TaskDefinition: { Ref: Match.stringLikeRegexp('^TaskDefinition') },
    Envoy: { StatsTags: true, LogLevel: 'info' },
  });
});
