import {
  ownershipOf,
  ownershipTags,
  RETIRED_FAMILY_TAG_SLOTS,
  retiredFamiliesIn,
  retiredFamilyTags,
  TAG,
  tagChanges,
  tagValue,
} from '../../lambda/ownership';

const owner = {
  physicalId: 'mesh/ecs-mesh/service/svc',
  stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/team-a/1234',
  logicalResourceId: 'Svc',
};

describe('GIVEN ownership tags', () => {
  test('WHEN all three match THEN the resource is ours; WHEN any differs THEN it is foreign and the owner is named', () => {
    expect(ownershipOf(ownershipTags(owner), owner)).toEqual({ kind: 'ours' });
    expect(ownershipOf(ownershipTags({ ...owner, logicalResourceId: 'Other' }), owner)).toEqual({
      kind: 'foreign',
      description: 'owned by mesh/ecs-mesh/service/svc (stack team-a, resource Other)',
    });
    expect(ownershipOf([], owner)).toEqual({
      kind: 'foreign',
      description: 'not created by Custom::MeshService (no ownership tags)',
    });
  });

  test('WHEN tags change THEN only keys the provider manages are removed', () => {
    const actual = [
      { key: TAG.owner, value: 'x' },
      { key: 'team', value: 'a' },
      { key: 'added-by-hand', value: '1' },
      { key: `${TAG.retiredFamilies}1`, value: 'old' },
    ];
    const desired = [{ key: TAG.owner, value: 'y' }];
    expect(tagChanges(actual, desired, ['team'])).toEqual({
      tag: [{ key: TAG.owner, value: 'y' }],
      untag: ['team', `${TAG.retiredFamilies}1`],
    });
  });
});

describe('GIVEN the record of retired task-definition families', () => {
  test('WHEN families are recorded THEN they pack into as few tags as fit and read back the same', () => {
    const families = Array.from({ length: 10 }, (_, i) => `family-${i}-${'x'.repeat(40)}`);
    const { tags, dropped } = retiredFamilyTags(families);
    expect(dropped).toEqual([]);
    expect(tags.length).toBeLessThan(families.length);
    expect(tags.every((t) => t.value.length <= 256)).toBe(true);
    expect(retiredFamiliesIn(tags).sort()).toEqual(families.sort());
  });

  test('WHEN ten families of the longest names retire at once THEN they still fit', () => {
    const families = Array.from({ length: 10 }, (_, i) => `${i}${'f'.repeat(254)}`);
    const { tags, dropped } = retiredFamilyTags(families);
    expect(dropped).toEqual([]);
    expect(tags).toHaveLength(RETIRED_FAMILY_TAG_SLOTS);
  });

  test('WHEN a value is longer than a tag allows THEN it becomes its digest, a valid and unique tag value', () => {
    const arn = `arn:aws:ecs:us-east-1:111122223333:task-definition/${'f'.repeat(255)}:12`;
    expect(tagValue(arn)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(tagValue(arn)).not.toBe(tagValue(`${arn}3`));
    expect(tagValue('short')).toBe('short');
  });
});

describe('GIVEN the tags the provider writes itself', () => {
  // ECS (TagValue pattern, applied to the whole string) and App Mesh accept only these characters.
  const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  test('WHEN the owner has the longest ids CloudFormation and the contract allow THEN every value is valid', () => {
    const longest = {
      physicalId: `mesh/${'m'.repeat(255)}@111122223333/service/${'s'.repeat(63)}`,
      stackId: `arn:aws-us-gov:cloudformation:us-gov-west-1:111122223333:stack/${'S'.repeat(128)}/0f1e2d3c-aaaa-bbbb-cccc-000000000001`,
      logicalResourceId: 'L'.repeat(255),
    };
    const values = [
      ...ownershipTags(longest),
      ...retiredFamilyTags(Array.from({ length: 30 }, (_, i) => `${i}${'f'.repeat(200)}`)).tags,
      {
        key: TAG.source,
        value: tagValue(`arn:aws:ecs:us-east-1:111122223333:task-definition/${'f'.repeat(255)}:9999999999`),
      },
    ];
    for (const t of values) {
      expect({ key: t.key, ok: ALLOWED.test(t.value) && t.value.length <= 256 }).toEqual({
        key: t.key,
        ok: true,
      });
    }
  });
});
