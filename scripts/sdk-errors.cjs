// The pure part of trim-sdk.mjs's error pruning, in CommonJS so that the tests (Jest, CommonJS) can load it too.
'use strict';

/** The model of each client the handler uses (emulator/models/). */
const CLIENT_MODELS = {
  'client-app-mesh': 'appmesh-2019-01-25.json',
  'client-cloudformation': 'cloudformation-2010-05-15.json',
  'client-ecs': 'ecs-2014-11-13.json',
  'client-servicediscovery': 'servicediscovery-2017-03-14.json',
  'client-resource-groups-tagging-api': 'resourcegroupstaggingapi-2017-01-26.json',
  'client-vpc-lattice': 'vpc-lattice-2022-11-30.json',
  'client-elastic-load-balancing-v2': 'elbv2-2015-12-01.json',
};

/** The errors any operation of the model declares. */
function declaredErrors(model) {
  return new Set(Object.values(model.operations).flatMap((o) => (o.errors ?? []).map((e) => e.shape)));
}

const REGISTRATION = /^(\w+)_registry\.registerError\((\w+)\$, (\w+)\);$/gm;

/**
 * The schemas module with the registrations of undeclared errors removed (the service's base exception, in the `_s`
 * registry, stays). Throws when the module registers no error in the expected form.
 */
function pruneErrorRegistrations(source, declared, file = 'schemas_0.js') {
  let registrations = 0;
  const dropped = [];
  const contents = source.replace(REGISTRATION, (line, registry, schema, ctor) => {
    registrations++;
    if (registry === '_s' || schema !== ctor || declared.has(ctor)) return line;
    dropped.push(ctor);
    return '';
  });
  if (registrations === 0) {
    throw new Error(
      `trim-sdk: ${file} registers no error as \`<ns>_registry.registerError(X$, X);\` (the SDK changed; update scripts/trim-sdk.mjs)`,
    );
  }
  return { contents, dropped };
}

module.exports = { CLIENT_MODELS, declaredErrors, pruneErrorRegistrations };
