#!/usr/bin/env -S node --max-semi-space-size=8
// Entry point for the `berth` command. The sources are TypeScript run by Node's
// native type stripping, which needs Node 24 (npm scripts use the pinned one).
// --max-semi-space-size keeps V8's young generation small: under a high request
// rate it otherwise grows to ~150 MiB of mostly empty heap (measured in bench/).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`berth needs Node.js 24 or newer (this is ${process.version}); run it through npm (npm start / npx berth) to use the pinned Node 24.`);
  process.exit(1);
}
await import('../src/cli/main.ts');
