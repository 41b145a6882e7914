// Wrappers around real container clients (skopeo, podman, buildah, ctr), a private
// containerd, a CNCF Distribution launcher, and the registry-under-test selector
// used by the end-to-end tests.
//
// This file only re-exports; the code lives in ./clients/, one module per job:
//  - process.ts          running commands (ClientError, timeouts, PID tracking), missingTools
//  - tls.ts              self-signed certificates (openssl)
//  - http.ts             httpFetch
//  - recording-proxy.ts  the proxy that records what each client sent
//  - registries.ts       registries under test (Berth, CNCF Distribution, external)
//  - sandbox.ts          ToolSandbox and ClientTls (isolation of the containers/* tools)
//  - skopeo.ts, podman.ts, buildah.ts, containerd.ts   the clients
//  - registry-reads.ts   manifest and blob reads for assertions

export {
  ClientError,
  DEFAULT_COMMAND_TIMEOUT_MS,
  commandLine,
  freePort,
  haveCommand,
  missingTools,
  run,
  sleep,
  type RunOptions,
  type RunResult,
} from './clients/process.ts';
export { generateSelfSignedCert, type SelfSignedCert } from './clients/tls.ts';
export { httpFetch, type HttpResponse } from './clients/http.ts';
export {
  formatRequest,
  startRecordingProxy,
  type RecordedRequest,
  type RecordingProxy,
} from './clients/recording-proxy.ts';
export {
  registryTarget,
  repoName,
  startDistribution,
  startTestRegistry,
  withDiagnostics,
  type DistributionOptions,
  type DistributionProcess,
  type RegistryKind,
  type TestRegistry,
  type TestRegistryOptions,
} from './clients/registries.ts';
export { ToolSandbox, type ClientTls } from './clients/sandbox.ts';
export { Skopeo } from './clients/skopeo.ts';
export { Podman } from './clients/podman.ts';
export { Buildah } from './clients/buildah.ts';
export { Containerd, type CtrImage } from './clients/containerd.ts';
export { MANIFEST_ACCEPT, getBlob, getManifest } from './clients/registry-reads.ts';
export type { BerthProcess } from './berth-process.ts';
