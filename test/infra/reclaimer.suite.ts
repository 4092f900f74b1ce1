/**
 * The reclaimer in the MeshServiceProvider stack (infra/reclaimer.ts), as `cdk synth` builds it (cdk-nag's checks run
 * there: synth fails on any unacknowledged finding): the rule on CloudFormation's rollback and delete completions,
 * the scheduled sweep, their dead-letter queue and retries, and a role that can read and remove only.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  RECLAIMER_APP_MESH_ACTIONS,
  RECLAIMER_CLOUDFORMATION_ACTIONS,
  RECLAIMER_ELB_DELETE_ACTIONS,
  RECLAIMER_ELB_READ_ACTIONS,
  RECLAIMER_LATTICE_ACTIONS,
  RECLAIMER_UNSCOPED_ACTIONS,
} from '../../infra/reclaimer';
import { cdkSynth } from './cdk-synth';

type Statement = { Action: string | string[]; Resource: unknown; Sid?: string; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

describe('GIVEN the reclaimer of the MeshServiceProvider stack built as `cdk synth` builds it', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let reclaimerId: string;
  beforeAll(async () => {
    template = (await cdkSynth()).template('MeshServiceProvider');
    resources = template.toJSON().Resources as Record<string, Resource>;
    reclaimerId = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, f]) => (f as Resource).Properties.FunctionName === 'MeshServiceProvider-Reclaimer',
    )![0];
  }, 120_000);

  const rules = () => Object.values(template.findResources('AWS::Events::Rule')) as Resource[];

  test('THEN a function of the handler bundle runs reclaim.js, its failed invocations retried twice then kept in a queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Reclaimer',
      Handler: 'reclaim.handler',
      Runtime: 'nodejs24.x',
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: reclaimerId },
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  test('THEN a rule sends it CloudFormation stack status changes to a completed rollback or deletion, and nothing else', () => {
    const onEvents = rules().filter((r) => r.Properties.EventPattern !== undefined);
    expect(onEvents.map((r) => r.Properties.EventPattern)).toEqual([
      {
        source: ['aws.cloudformation'],
        'detail-type': ['CloudFormation Stack Status Change'],
        detail: {
          'status-details': {
            status: [
              'ROLLBACK_COMPLETE',
              'DELETE_COMPLETE',
              'UPDATE_ROLLBACK_COMPLETE',
              'IMPORT_ROLLBACK_COMPLETE',
            ],
          },
        },
      },
    ]);
  });

  test('THEN a scheduled rule sweeps daily', () => {
    expect(
      rules().flatMap((r) => (r.Properties.ScheduleExpression ? [r.Properties.ScheduleExpression] : [])),
    ).toEqual(['rate(1 day)']);
  });

  test('THEN both rules target the reclaimer with retries and the dead-letter queue', () => {
    const all = rules();
    expect(all).toHaveLength(2);
    for (const r of all) {
      expect(r.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [reclaimerId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetters/), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ]);
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [reclaimerId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  test('THEN its role reads stacks and tags and removes: no wildcard action, nothing that creates, changes, tags or passes a role', () => {
    const role = (resources[reclaimerId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(
      actions.filter((a) =>
        /:(Create|Update|Put|Register|Tag|Untag|PassRole|Batch)/.test(a.replace(/^logs:.*/, '')),
      ),
    ).toEqual([]);
    const service = (s: Statement) => [s.Action].flat();
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(service(bySid('JudgeWithCloudFormation')).sort()).toEqual(
      [...RECLAIMER_CLOUDFORMATION_ACTIONS].sort(),
    );
    expect(JSON.stringify(bySid('JudgeWithCloudFormation').Resource)).toContain(':stack/*/*');
    expect(service(bySid('RemoveAppMeshResources')).sort()).toEqual([...RECLAIMER_APP_MESH_ACTIONS].sort());
    expect(JSON.stringify(bySid('RemoveAppMeshResources').Resource)).toContain(':mesh/*');
    expect(service(bySid('RemoveLatticeResources')).sort()).toEqual([...RECLAIMER_LATTICE_ACTIONS].sort());
    // Only the calls that support no resource-level permission have "*" as their resource.
    const unscoped = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(unscoped.flatMap(service).sort()).toEqual(
      [...RECLAIMER_UNSCOPED_ACTIONS, ...RECLAIMER_ELB_READ_ACTIONS].sort(),
    );
    // A Gateway's target group and listener rule: deleted only when they carry an ownership tag.
    const elbDeletes = bySid('RemoveOwnedTargetGroupsAndRules');
    expect(service(elbDeletes).sort()).toEqual([...RECLAIMER_ELB_DELETE_ACTIONS].sort());
    expect(JSON.stringify(elbDeletes.Resource)).toContain(':targetgroup/*');
    expect(JSON.stringify(elbDeletes.Resource)).toContain(':listener-rule/app/*');
    expect(JSON.stringify(elbDeletes.Resource)).not.toContain(':loadbalancer/');
    expect(elbDeletes.Condition).toEqual({ Null: { 'aws:ResourceTag/mesh-service:owner': 'false' } });
  });
});
