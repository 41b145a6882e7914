// Loaded into a test's `berth serve` with `--import`: on SIGUSR2 the process lets the
// error BERTH_TEST_FAULT names escape every handler, as a bug would — so the tests
// can see what the process guard (src/server/process-guard.ts) does with it. Nothing
// of this is in Berth itself.
import { EventEmitter } from 'node:events';

const fault = process.env.BERTH_TEST_FAULT;

process.on('SIGUSR2', () => {
  if (fault === 'uncaught-exception') {
    // An 'error' event nobody listens to, as the upload stream of issue 10 emitted.
    setImmediate(() => new EventEmitter().emit('error', new Error('injected uncaught exception')));
  } else if (fault === 'unhandled-rejection') {
    void Promise.reject(new Error('injected unhandled rejection'));
  }
});
