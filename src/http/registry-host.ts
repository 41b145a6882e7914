// ECR's registry host names carry the registry they address:
// <account>.dkr.ecr.<region>.<domain>[:port]. Berth serves one account today; the host
// name is where a deployment serving several will pick the account, so a request that
// names another registry is refused here rather than served from the wrong one.
const REGISTRY_HOST = /^(\d{12})\.dkr(?:-fips)?\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\./i;

export interface RegistryAddress {
  readonly accountId: string;
  readonly region: string;
}

/** The account and region an ECR-style host name addresses; undefined for any other name (127.0.0.1:5000, registry.example.com). */
export function registryAddressOfHost(host: string | undefined): RegistryAddress | undefined {
  const match = host === undefined ? null : REGISTRY_HOST.exec(host);
  return match ? { accountId: match[1]!, region: match[2]!.toLowerCase() } : undefined;
}

/** Whether a request for `host` is for the registry served here. */
export function isServedHost(host: string | undefined, served: RegistryAddress): boolean {
  const addressed = registryAddressOfHost(host);
  return addressed === undefined || (addressed.accountId === served.accountId && addressed.region === served.region);
}
