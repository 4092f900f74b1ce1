// Jest starts the longest suites first, so that no worker is left running a long one alone at the end. After one run
// Jest knows every suite's duration from its cache; on a clean machine (CI) it has none and orders by file size, which
// puts the short files of the fault matrices last (measured: Jest 143 s instead of about 120 s on two cores). These
// are the suites that take longest here, longest first; the others follow in Jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST = [
  'lifecycle/matrix-replace',
  'vpclattice/matrix',
  'lifecycle/matrix-update',
  'package/consumer',
  'infra/cdk',
  'lifecycle/throttling',
  'serviceconnect/gateway-matrix',
  'lifecycle/matrix-create',
  'lifecycle/redelivery',
  'serviceconnect/matrix',
  'cli/cfn-lint-rule',
  'lifecycle/matrix-delete',
  'lifecycle/faults',
  'cli/commands',
  'lifecycle/reclaimer',
  'handler/bundle',
  'emulator/faults-unanswered',
].map((suite) => `/test/${suite}.test.ts`);

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = LONGEST.findIndex((suffix) => test.path.replaceAll('\\', '/').endsWith(suffix));
      return i < 0 ? LONGEST.length : i;
    };
    // Array.prototype.sort is stable: the other suites keep Jest's order (durations, else file size).
    return super.sort(tests).sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
