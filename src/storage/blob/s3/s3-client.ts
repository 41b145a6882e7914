// The S3 client the driver runs on, built from the storage.s3 settings. Credentials
// and, when not configured, the region come from the SDK's default chain
// (environment, shared config and credential files, SSO, web identity, ECS and EC2
// instance roles), so the registry never holds S3 secrets in its own config.
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientSettings {
  readonly region?: string | undefined;
  /** An S3-compatible endpoint (Ceph RGW, MinIO, …); AWS's own when absent. */
  readonly endpoint?: string | undefined;
  /** Address buckets as https://host/bucket rather than https://bucket.host (most non-AWS stores want this). */
  readonly forcePathStyle?: boolean | undefined;
  /** Fixed credentials instead of the default chain (tests). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/**
 * Every blob GET that streams through the registry holds a connection for as long as
 * its client reads: the SDK's default of 50 sockets would make the 51st pull wait.
 */
const MAX_SOCKETS = 1024;

export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // Checksums only where S3 demands them. The default (a CRC32 on every upload)
    // turns streamed bodies into aws-chunked transfers that older S3-compatible stores
    // (Ceph RGW 16) refuse, and costs CPU the registry already spends on SHA-256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      httpAgent: new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      // A store that does not accept the connection must fail the request (and let the
      // SDK retry), not hold it forever. No idle timeout on the request itself: a blob
      // streamed to a slow client may rightly leave its S3 socket idle for long.
      connectionTimeout: 10_000,
    },
  });
}
