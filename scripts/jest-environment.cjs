/**
 * Jest's Node environment, on a V8 context that is not contextified. Jest runs every test file in a vm context made
 * around a Proxy of its global object; Node intercepts every global lookup in such a context (Array, Object, Buffer,
 * setTimeout…), and code that makes them on every call — the AWS SDK's serializers, CDK's constructs — runs slower
 * for it (scripts/bench-jest-context.mjs: Array.isArray and Object.prototype.hasOwnProperty.call in a loop run 30-50×
 * slower in Jest's context than in Node's own or in one made with vm.constants.DONT_CONTEXTIFY). This environment is
 * Jest's, except that its context is created with DONT_CONTEXTIFY (Node >= 20.18 / 22.8): an ordinary global object
 * that the vm APIs still accept. What Jest then sets on the global (Node's globals, fake timers, the module mocker) it
 * sets the same way. Jest's clean-up of what a test file left on its global (its GlobalProxy) has nothing to track
 * then: the whole context is dropped at teardown instead.
 */
const vm = require('node:vm');
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

class PlainContextEnvironment extends NodeEnvironment {
  constructor(config, context) {
    if (vm.constants?.DONT_CONTEXTIFY === undefined) {
      super(config, context);
      return;
    }
    // jest-environment-node creates its context with vm.createContext(sandbox) once, in its constructor.
    const createContext = vm.createContext;
    vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
    // Such a context is its own global; a contextified one is not. Should a new Jest make its context another way,
    // every suite fails here rather than silently running at the old speed.
    if (this.global !== this.context) {
      throw new Error(
        'scripts/jest-environment.cjs: jest-environment-node no longer creates its context through vm.createContext; update the environment',
      );
    }
  }
}

module.exports = PlainContextEnvironment;
