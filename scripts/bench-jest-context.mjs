// Prints how long a loop of global lookups (Array.isArray, Object.prototype.hasOwnProperty.call: what the AWS SDK's
// serializers do per member) takes in Node's own context, in a vm context like the one Jest's Node environment makes
// (contextified around a Proxy), and in one made with vm.constants.DONT_CONTEXTIFY, as scripts/jest-environment.cjs
// makes it. `node scripts/bench-jest-context.mjs [iterations]`.
import vm from 'node:vm';

const iterations = Number(process.argv[2] ?? 2e7);
const source = `(() => {
  const schema = (sc) => (Array.isArray(sc) && sc[0] === 0 ? sc[4] : sc);
  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const a = [0, 1, 2, 3, 4], o = { x: 1 };
  let sum = 0;
  const t0 = Date.now();
  for (let i = 0; i < ${iterations}; i++) sum += schema(a) + (hasOwn(o, 'x') ? 1 : 0);
  return [Date.now() - t0, sum];
})()`;

const contexts = {
  "Node's own context": null,
  "Jest's (contextified, around a Proxy)": vm.createContext(
    new Proxy(Object.create(Object.getPrototypeOf(globalThis)), {}),
  ),
  'DONT_CONTEXTIFY (scripts/jest-environment.cjs)': vm.createContext(vm.constants.DONT_CONTEXTIFY),
};
console.log(`Node ${process.version}, ${iterations} iterations`);
for (const [name, context] of Object.entries(contexts)) {
  const [ms] = context === null ? vm.runInThisContext(source) : vm.runInContext(source, context);
  console.log(`${name.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms`);
}
