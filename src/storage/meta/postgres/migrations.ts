// Versioned schema for the PostgreSQL driver: the same history as the SQLite driver's
// (src/storage/meta/sqlite/migrations.ts), entry for entry, in PostgreSQL's dialect, so
// that schema version N means the same tables in both. Each entry runs once, in order;
// the applied versions are rows of schema_migrations. Never edit a shipped migration:
// add the next one, here and in the SQLite list.
//
// Dialect choices: every name, digest, tag and key is TEXT COLLATE "C", so ordering and
// `>` paging compare code units as SQLite's BINARY collation does whatever the database's
// locale; times are TIMESTAMPTZ (the port's Dates, millisecond precision); sizes and
// offsets BIGINT; manifest bytes and sealed secrets BYTEA; JSON documents TEXT, kept
// exactly as written (key order included), as SQLite keeps them. IAM user names are
// unique regardless of case as in SQLite's COLLATE NOCASE: a generated user_key
// (ASCII lower case, like NOCASE) is the key and what foreign keys reference.

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: repositories, blob links, manifests with their references, tags, upload sessions.
  `
  CREATE TABLE repositories (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE blobs (
    digest TEXT COLLATE "C" PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE repository_blobs (
    repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT COLLATE "C" NOT NULL REFERENCES blobs(digest),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository_id, digest)
  );
  CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);
  CREATE TABLE manifests (
    repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT COLLATE "C" NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    artifact_type TEXT,
    subject TEXT COLLATE "C",
    annotations TEXT,
    pushed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository_id, digest)
  );
  CREATE INDEX manifests_by_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
  CREATE TABLE manifest_blobs (
    repository_id BIGINT NOT NULL,
    manifest_digest TEXT COLLATE "C" NOT NULL,
    blob_digest TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repository_id, manifest_digest, blob_digest),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  );
  CREATE INDEX manifest_blobs_by_blob ON manifest_blobs(blob_digest);
  CREATE TABLE manifest_children (
    repository_id BIGINT NOT NULL,
    parent_digest TEXT COLLATE "C" NOT NULL,
    child_digest TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repository_id, parent_digest, child_digest),
    FOREIGN KEY (repository_id, parent_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  );
  CREATE INDEX manifest_children_by_child ON manifest_children(repository_id, child_digest);
  CREATE TABLE tags (
    repository_id BIGINT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    manifest_digest TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  );
  CREATE INDEX tags_by_manifest ON tags(repository_id, manifest_digest);
  CREATE TABLE uploads (
    id TEXT COLLATE "C" PRIMARY KEY,
    repository TEXT COLLATE "C" NOT NULL,
    "offset" BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX uploads_by_updated_at ON uploads(updated_at);
  `,
  // 2: identities — IAM users (names unique regardless of case, as in IAM), their access
  // keys (secrets sealed by the caller) and inline policies.
  `
  CREATE TABLE users (
    account_id TEXT COLLATE "C" NOT NULL,
    user_name TEXT COLLATE "C" NOT NULL,
    user_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(user_name)) STORED,
    user_id TEXT COLLATE "C" NOT NULL UNIQUE,
    path TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, user_key)
  );
  CREATE TABLE access_keys (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL,
    user_name TEXT COLLATE "C" NOT NULL,
    user_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(user_name)) STORED,
    sealed_secret BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (account_id, user_key) REFERENCES users(account_id, user_key) ON DELETE CASCADE
  );
  CREATE INDEX access_keys_by_user ON access_keys(account_id, user_key);
  CREATE TABLE user_policies (
    account_id TEXT COLLATE "C" NOT NULL,
    user_name TEXT COLLATE "C" NOT NULL,
    user_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(user_name)) STORED,
    policy_name TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account_id, user_key, policy_name),
    FOREIGN KEY (account_id, user_key) REFERENCES users(account_id, user_key) ON DELETE CASCADE
  );
  `,
  // 3: ECR repository settings, resource tags and policy; per-account registry policy.
  `
  ALTER TABLE repositories ADD COLUMN settings TEXT;
  ALTER TABLE repositories ADD COLUMN resource_tags TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE repositories ADD COLUMN policy TEXT;
  CREATE TABLE registry_settings (
    account_id TEXT COLLATE "C" PRIMARY KEY,
    policy TEXT
  );
  `,
  // 4: repository creation templates (unique per account by the prefix without its
  // trailing '/': match_prefix), account settings, and each manifest's last pull time.
  `
  CREATE TABLE repository_creation_templates (
    account_id TEXT COLLATE "C" NOT NULL,
    match_prefix TEXT COLLATE "C" NOT NULL,
    prefix TEXT NOT NULL,
    description TEXT,
    encryption TEXT NOT NULL,
    resource_tags TEXT NOT NULL,
    image_tag_mutability TEXT NOT NULL,
    mutability_exclusion_filters TEXT NOT NULL,
    repository_policy TEXT,
    lifecycle_policy TEXT,
    applied_for TEXT NOT NULL,
    custom_role_arn TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, match_prefix)
  );
  CREATE TABLE account_settings (
    account_id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  );
  ALTER TABLE manifests ADD COLUMN last_pulled_at TIMESTAMPTZ;
  `,
  // 5: each account's registry scanning configuration and its pull time update exclusions.
  `
  CREATE TABLE registry_scanning (
    account_id TEXT COLLATE "C" PRIMARY KEY,
    scan_type TEXT NOT NULL,
    rules TEXT NOT NULL
  );
  CREATE TABLE pull_time_exclusions (
    account_id TEXT COLLATE "C" NOT NULL,
    principal_arn TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, principal_arn)
  );
  `,
  // 6: a counter that moves whenever something an authorization decision reads changes
  // (users, keys, user policies, repositories and their policy or tags, registry policy,
  // account settings), so that nodes may keep decisions while it stands still. Row
  // triggers, as in SQLite: a statement that changes no row (ON CONFLICT DO NOTHING)
  // moves nothing.
  `
  CREATE TABLE authorization_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
  );
  INSERT INTO authorization_generation (id, value) VALUES (1, 0);
  CREATE FUNCTION move_authorization_generation() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE authorization_generation SET value = value + 1 WHERE id = 1;
    RETURN NULL;
  END
  $$;
  ${authorizationTriggers([
    ['users', 'INSERT OR UPDATE OR DELETE'],
    ['access_keys', 'INSERT OR UPDATE OR DELETE'],
    ['user_policies', 'INSERT OR UPDATE OR DELETE'],
    ['repositories', 'INSERT OR DELETE OR UPDATE OF policy, resource_tags'],
    ['registry_settings', 'INSERT OR UPDATE OR DELETE'],
    ['account_settings', 'INSERT OR UPDATE OR DELETE'],
  ])}
  `,
  // 7: leases, so that background work runs on one node of a cluster at a time.
  `
  CREATE TABLE leases (
    name TEXT COLLATE "C" PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  `,
  // 8: the server key check: one value sealed under the registry's server key, so that a
  // node started with another key is refused instead of failing every login.
  `
  CREATE TABLE server_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BYTEA NOT NULL
  );
  `,
  // 9: lifecycle policies: each repository's policy and when it was last evaluated, the
  // latest preview per repository, and the audit log of every image a policy expired.
  `
  ALTER TABLE repositories ADD COLUMN lifecycle_policy TEXT;
  ALTER TABLE repositories ADD COLUMN lifecycle_evaluated_at TIMESTAMPTZ;
  CREATE TABLE lifecycle_previews (
    repository_id BIGINT PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE,
    policy TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ
  );
  CREATE TABLE lifecycle_expirations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository TEXT COLLATE "C" NOT NULL,
    digest TEXT COLLATE "C" NOT NULL,
    tags TEXT NOT NULL,
    rule_priority INTEGER,
    reason TEXT NOT NULL,
    via TEXT,
    expired_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX lifecycle_expirations_by_time ON lifecycle_expirations(expired_at);
  CREATE INDEX lifecycle_expirations_by_repository ON lifecycle_expirations(repository, id);
  `,
  // 10: online garbage collection: when a blob was last made or used (a grace period
  // protects it from collection), and a mark for a blob whose bytes are being deleted
  // (indexed: a collector starts by finishing the marks a crashed run left).
  `
  ALTER TABLE blobs ADD COLUMN touched_at TIMESTAMPTZ;
  ALTER TABLE blobs ADD COLUMN deleting BOOLEAN NOT NULL DEFAULT false;
  UPDATE blobs SET touched_at = created_at;
  CREATE INDEX blobs_marked_deleting ON blobs(digest) WHERE deleting;
  `,
  // 11: usage metering: bytes and requests per repository per UTC day (several nodes
  // add to the same row), and a daily snapshot of stored bytes per repository and for
  // the whole registry after deduplication (what a GB-month estimate averages; a day
  // with a registry row was observed, so a repository without a row that day stored 0).
  `
  CREATE TABLE usage_daily (
    day TEXT COLLATE "C" NOT NULL,
    repository TEXT COLLATE "C" NOT NULL,
    bytes_in BIGINT NOT NULL DEFAULT 0,
    bytes_out BIGINT NOT NULL DEFAULT 0,
    pushes BIGINT NOT NULL DEFAULT 0,
    pulls BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, repository)
  );
  CREATE TABLE storage_daily (
    day TEXT COLLATE "C" NOT NULL,
    repository TEXT COLLATE "C" NOT NULL,
    stored_bytes BIGINT NOT NULL,
    PRIMARY KEY (day, repository)
  );
  CREATE TABLE registry_storage_daily (
    day TEXT COLLATE "C" PRIMARY KEY,
    stored_bytes BIGINT NOT NULL,
    taken_at TIMESTAMPTZ NOT NULL
  );
  `,
];

function authorizationTriggers(events: ReadonlyArray<readonly [string, string]>): string {
  return events
    .map(
      ([table, event]) =>
        `CREATE TRIGGER ${table}_moves_authorization AFTER ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION move_authorization_generation();`,
    )
    .join('\n  ');
}
