/**
 * The return values of Custom::MeshService: what `Ref` gives, and the shape of the `Fn::GetAtt` attributes each
 * backend documents (its attributes.ts) with when each is present. lambda/backends.ts lists them in the backends'
 * order; the reference docs are generated from that list, and tests check every attribute the handler returns
 * against it.
 */
export const REF_DESCRIPTION =
  'The physical id, `mesh/<MeshName>[@<MeshOwner>]/service/<ServiceName>`: the identity of the service. It changes (a replacement) only when MeshName, MeshOwner or ServiceName change.';

export interface AttributeDoc {
  /** The attribute name; `<Name>` stands for a version name. */
  readonly name: string;
  readonly description: string;
  readonly presentWhen: string;
}

/** The patterns of documented attribute names (`<Name>` stands for any version name). */
export function attributeMatcher(docs: readonly AttributeDoc[]): (key: string) => boolean {
  const patterns = docs.map(
    (a) => new RegExp(`^${a.name.replace(/\./g, '\\.').replace('<Name>', '[A-Za-z0-9_-]+')}$`),
  );
  return (key) => patterns.some((p) => p.test(key));
}
