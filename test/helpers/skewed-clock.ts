// Preloaded into a server under test (NODE_OPTIONS=--import <this file>) to move its
// clock by BERTH_TEST_CLOCK_SKEW_MS: `Date.now()` and `new Date()` run that far ahead (or
// behind, when negative). A server 16 minutes ahead sees every client as 16 minutes
// behind, which is how clock skew is tested with clients whose clock cannot be moved.
const skewMs = Number(process.env['BERTH_TEST_CLOCK_SKEW_MS'] ?? 0);
if (!Number.isFinite(skewMs)) throw new Error(`BERTH_TEST_CLOCK_SKEW_MS must be a number of milliseconds, not ${process.env['BERTH_TEST_CLOCK_SKEW_MS']}`);

const RealDate = Date;
const now = (): number => RealDate.now() + skewMs;

globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget);
  },
  // Date() called as a function gives the current time as a string.
  apply() {
    return new RealDate(now()).toString();
  },
  get(target, property, receiver) {
    return property === 'now' ? now : Reflect.get(target, property, receiver);
  },
});
