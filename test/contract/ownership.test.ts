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

  test('WHEN a value is longer than a tag allows THEN it keeps its informative end', () => {
    const arn = `arn:aws:ecs:us-east-1:111122223333:task-definition/${'f'.repeat(255)}:12`;
    expect(tagValue(arn)).toHaveLength(256);
    expect(tagValue(arn).endsWith(':12')).toBe(true);
    expect(tagValue('short')).toBe('short');
  });
});
