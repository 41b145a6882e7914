// The `--backend=s3` setting: one Ceph RADOS Gateway and one PostgreSQL for the whole
// run (the test helpers' launchers), a bucket for each registry on the same gateway,
// and per scenario a fresh key prefix (Berth), root directory (Distribution) and
// PostgreSQL database, so each scenario starts empty as on the fs backend.
//
// It also serves the "object store alone" baseline: a presigned GET of the very
// object a registry stored, signed here with the gateway's keys.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import pg from 'pg';
import { parseDigest, isDigest } from '../../src/model/digest.ts';
import { S3Keys } from '../../src/storage/blob/s3/s3-keys.ts';
import { forEachLimited } from '../../src/storage/blob/s3/s3-objects.ts';
import { startCephRgw, type CephRgw } from '../../test/helpers/ceph-rgw.ts';
import { startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.ts';
import type { ServerKind } from './servers.ts';

/** One named process whose CPU time the monitor reports besides the server's. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
}

/** How one registry of one scenario reaches its storage. */
export type ServerStorage =
  | { readonly kind: 'berth'; readonly env: Readonly<Record<string, string>> }
  | { readonly kind: 'distribution'; readonly storageYaml: readonly string[]; readonly env: Readonly<Record<string, string | undefined>> };

export interface ScenarioStorage {
  forServer(kind: ServerKind): ServerStorage;
  /** A presigned GET of the blob as this side's registry stored it: the object store alone. */
  presignedBlobUrl(kind: ServerKind, digest: string): Promise<string>;
  /** A presigned PUT of a new object named `name` beside this side's registry data (the store-alone push). */
  presignedPutUrl(kind: ServerKind, name: string): Promise<string>;
}

const BUCKETS: Record<ServerKind, string> = { berth: 'bench-berth', distribution: 'bench-distribution' };
/** Berth signs its redirects for 20 minutes; the baseline's URLs live as long. */
const PRESIGN_SECONDS = 1200;

export class S3Backend {
  readonly rgw: CephRgw;
  readonly postgres: TestPostgres;
  readonly #client: S3Client;
  readonly #berthRedirect: boolean;
  readonly #databases = new Map<string, string>();

  private constructor(rgw: CephRgw, postgres: TestPostgres, berthRedirect: boolean) {
    this.rgw = rgw;
    this.postgres = postgres;
    this.#berthRedirect = berthRedirect;
    this.#client = new S3Client({
      endpoint: rgw.endpoint,
      region: rgw.region,
      forcePathStyle: true,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
      // As in Berth's client: Ceph 16 refuses the SDK's default CRC trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Boots the gateway and the database server side by side; if either fails, the other is stopped. */
  static async start(options: { osdBytes: number; berthRedirect: boolean }): Promise<S3Backend> {
    const [rgw, postgres] = await Promise.allSettled([
      startCephRgw({ bucket: BUCKETS.berth, osdSizeBytes: options.osdBytes }),
      startTestPostgres(),
    ]);
    if (rgw.status === 'rejected' || postgres.status === 'rejected') {
      if (rgw.status === 'fulfilled') await rgw.value.stop();
      if (postgres.status === 'fulfilled') await postgres.value.stop();
      throw rgw.status === 'rejected' ? rgw.reason : (postgres as PromiseRejectedResult).reason;
    }
    const backend = new S3Backend(rgw.value, postgres.value, options.berthRedirect);
    try {
      await backend.#client.send(new CreateBucketCommand({ Bucket: BUCKETS.distribution }));
    } catch (error) {
      await backend.stop();
      throw error;
    }
    return backend;
  }

  /** The Ceph daemons and PostgreSQL, named by their executable (mon, OSD, radosgw, postgres). */
  daemons(): Daemon[] {
    return [...this.rgw.pids, this.postgres.pid].map((pid) => ({ name: commOf(pid), pid }));
  }

  describe(): string {
    return `Ceph RGW ${this.rgw.endpoint} (pids ${this.rgw.pids.join(', ')}; buckets ${Object.values(BUCKETS).join(', ')}), PostgreSQL pid ${this.postgres.pid}`;
  }

  /** Storage for one scenario's pair of servers: its own prefix, root directory and database. */
  async scenario(id: string): Promise<ScenarioStorage> {
    const databaseUrl = await this.postgres.createDatabase();
    this.#databases.set(id, databaseUrl);
    const berthKeys = new S3Keys(`${id}/`);
    const distributionRoot = `/${id}`;
    const { endpoint, region, accessKeyId, secretAccessKey } = this.rgw;
    const berth: ServerStorage = {
      kind: 'berth',
      env: {
        BERTH_DATABASE_URL: databaseUrl,
        BERTH_STORAGE: 's3',
        BERTH_S3_BUCKET: BUCKETS.berth,
        BERTH_S3_PREFIX: berthKeys.prefix,
        BERTH_S3_REGION: region,
        BERTH_S3_ENDPOINT: endpoint,
        BERTH_S3_FORCE_PATH_STYLE: 'true',
        BERTH_S3_REDIRECT: String(this.#berthRedirect),
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      },
    };
    // Distribution 2.8's S3 driver with its defaults (10 MiB parts, redirects on). With
    // a regionendpoint it addresses the bucket in the path. AWS_CA_BUNDLE (set on some
    // machines for other tools) makes its aws-sdk-go refuse to start, and a plain-HTTP
    // endpoint needs no CA, so it is removed from its environment.
    const distribution: ServerStorage = {
      kind: 'distribution',
      storageYaml: [
        '  s3:',
        `    accesskey: ${JSON.stringify(accessKeyId)}`,
        `    secretkey: ${JSON.stringify(secretAccessKey)}`,
        `    region: ${JSON.stringify(region)}`,
        `    regionendpoint: ${JSON.stringify(endpoint)}`,
        `    bucket: ${BUCKETS.distribution}`,
        `    rootdirectory: ${distributionRoot}`,
        '    secure: false',
        '    v4auth: true',
      ],
      env: { AWS_CA_BUNDLE: undefined },
    };
    return {
      forServer: (kind) => (kind === 'berth' ? berth : distribution),
      presignedBlobUrl: (kind, digest) => {
        const parsed = parseDigest(digest);
        if (!isDigest(parsed)) throw new Error(`not a digest: ${digest}`);
        const key =
          kind === 'berth'
            ? berthKeys.blob(parsed)
            : // Distribution's layout: <root>/docker/registry/v2/blobs/<algorithm>/<2 hex>/<hex>/data
              `${distributionRoot.slice(1)}/docker/registry/v2/blobs/${parsed.algorithm}/${parsed.hex.slice(0, 2)}/${parsed.hex}/data`;
        return getSignedUrl(this.#client, new GetObjectCommand({ Bucket: BUCKETS[kind], Key: key }), { expiresIn: PRESIGN_SECONDS });
      },
      // Under the scenario's prefix, so releaseScenario removes these objects too.
      presignedPutUrl: (kind, name) =>
        getSignedUrl(this.#client, new PutObjectCommand({ Bucket: BUCKETS[kind], Key: `${id}/store-alone/${name}` }), { expiresIn: PRESIGN_SECONDS }),
    };
  }

  /**
   * Frees what a scenario stored (its objects, unfinished multipart uploads, its
   * database) and has the gateway collect the space now rather than in two hours.
   */
  async releaseScenario(id: string): Promise<void> {
    await Promise.all([this.#deletePrefix(BUCKETS.berth, `${id}/`), this.#deletePrefix(BUCKETS.distribution, `${id}/`)]);
    const url = this.#databases.get(id);
    if (url) await this.postgres.dropDatabase(url);
    this.#databases.delete(id);
    await this.collectGarbage();
  }

  /**
   * RGW hands the data of deleted objects (staging segments, multipart parts) to its
   * garbage collector, which by default waits two hours: `gc process --include-all`
   * frees it at once, so a run's pushes do not pile up in the OSD.
   */
  async collectGarbage(): Promise<void> {
    await this.#ceph('radosgw-admin', ['gc', 'process', '--include-all']);
  }

  /** Runs a Ceph tool against this cluster's configuration only; resolves with its stdout. */
  #ceph(tool: string, args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const env = { ...process.env };
      delete env.CEPH_CONF;
      delete env.CEPH_ARGS;
      const child = spawn(tool, ['-c', join(this.rgw.dir, 'ceph.conf'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${tool} ${args.join(' ')} exited ${code}: ${stderr.slice(-1000)}`))));
    });
  }

  /** SELECT version() on the database server. */
  async postgresVersion(): Promise<string> {
    const url = await this.postgres.createDatabase();
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const result = await client.query<{ version: string }>('SELECT version()');
      return result.rows[0]?.version ?? 'unknown';
    } catch {
      return 'unknown';
    } finally {
      await client.end().catch(() => undefined);
      await this.postgres.dropDatabase(url);
    }
  }

  async stop(): Promise<void> {
    this.#client.destroy();
    await Promise.allSettled([this.rgw.stop(), this.postgres.stop()]);
  }

  async #deletePrefix(bucket: string, prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      // Single deletes: DeleteObjects needs a body checksum that Ceph 16 and the SDK disagree on.
      await forEachLimited(keys, 16, async (key) => {
        await this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const uploads = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    for (const u of uploads.Uploads ?? []) {
      if (u.Key && u.UploadId) await this.#client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    }
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return `pid ${pid}`;
  }
}
