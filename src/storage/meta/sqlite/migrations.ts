// Versioned schema for the SQLite driver. Each entry runs once, in order, inside
// a transaction; the applied version is kept in PRAGMA user_version. Never edit a
// shipped migration: add the next one.

export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: repositories, blob links, manifests with their references, tags, upload sessions.
  `
  CREATE TABLE repositories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE blobs (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE repository_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT NOT NULL REFERENCES blobs(digest),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
  ) WITHOUT ROWID;
  CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);
  CREATE TABLE manifests (
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    artifact_type TEXT,
    subject TEXT,
    annotations TEXT,
    pushed_at INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
  );
  CREATE INDEX manifests_by_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
  CREATE TABLE manifest_blobs (
    repository_id INTEGER NOT NULL,
    manifest_digest TEXT NOT NULL,
    blob_digest TEXT NOT NULL,
    PRIMARY KEY (repository_id, manifest_digest, blob_digest),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX manifest_blobs_by_blob ON manifest_blobs(blob_digest);
  CREATE TABLE manifest_children (
    repository_id INTEGER NOT NULL,
    parent_digest TEXT NOT NULL,
    child_digest TEXT NOT NULL,
    PRIMARY KEY (repository_id, parent_digest, child_digest),
    FOREIGN KEY (repository_id, parent_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX manifest_children_by_child ON manifest_children(repository_id, child_digest);
  CREATE TABLE tags (
    repository_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    manifest_digest TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX tags_by_manifest ON tags(repository_id, manifest_digest);
  CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    repository TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX uploads_by_updated_at ON uploads(updated_at);
  `,
  // 2: identities — IAM users (names unique regardless of case, as in IAM), their access
  // keys (secrets sealed by the caller) and inline policies.
  `
  CREATE TABLE users (
    account_id TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    user_id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_name)
  ) WITHOUT ROWID;
  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    sealed_secret BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at INTEGER NOT NULL,
    FOREIGN KEY (account_id, user_name) REFERENCES users(account_id, user_name) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX access_keys_by_user ON access_keys(account_id, user_name);
  CREATE TABLE user_policies (
    account_id TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    policy_name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account_id, user_name, policy_name),
    FOREIGN KEY (account_id, user_name) REFERENCES users(account_id, user_name) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // 3: ECR repository settings, resource tags and policy; per-account registry policy.
  `
  ALTER TABLE repositories ADD COLUMN settings TEXT;
  ALTER TABLE repositories ADD COLUMN resource_tags TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE repositories ADD COLUMN policy TEXT;
  CREATE TABLE registry_settings (
    account_id TEXT PRIMARY KEY,
    policy TEXT
  ) WITHOUT ROWID;
  `,
  // 4: repository creation templates (unique per account by the prefix without its
  // trailing '/': match_prefix), account settings, and each manifest's last pull time.
  `
  CREATE TABLE repository_creation_templates (
    account_id TEXT NOT NULL,
    match_prefix TEXT NOT NULL,
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
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, match_prefix)
  ) WITHOUT ROWID;
  CREATE TABLE account_settings (
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID;
  ALTER TABLE manifests ADD COLUMN last_pulled_at INTEGER;
  `,
  // 5: each account's registry scanning configuration and its pull time update exclusions.
  `
  CREATE TABLE registry_scanning (
    account_id TEXT PRIMARY KEY,
    scan_type TEXT NOT NULL,
    rules TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE pull_time_exclusions (
    account_id TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, principal_arn)
  ) WITHOUT ROWID;
  `,
  // 6: a counter that moves whenever something an authorization decision reads changes
  // (users, keys, user policies, repositories and their policy or tags, registry policy,
  // account settings), so that nodes may keep decisions while it stands still.
  `
  CREATE TABLE authorization_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
  );
  INSERT INTO authorization_generation (id, value) VALUES (1, 0);
  ${authorizationTriggers([
    ['users', 'INSERT'], ['users', 'UPDATE'], ['users', 'DELETE'],
    ['access_keys', 'INSERT'], ['access_keys', 'UPDATE'], ['access_keys', 'DELETE'],
    ['user_policies', 'INSERT'], ['user_policies', 'UPDATE'], ['user_policies', 'DELETE'],
    ['repositories', 'INSERT'], ['repositories', 'UPDATE OF policy, resource_tags'], ['repositories', 'DELETE'],
    ['registry_settings', 'INSERT'], ['registry_settings', 'UPDATE'], ['registry_settings', 'DELETE'],
    ['account_settings', 'INSERT'], ['account_settings', 'UPDATE'], ['account_settings', 'DELETE'],
  ])}
  `,
  // 7: leases, so that background work runs on one node of a cluster at a time.
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 8: the server key check: one value sealed under the registry's server key, so that a
  // node started with another key is refused instead of failing every login.
  `
  CREATE TABLE server_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
  );
  `,
  // 9: lifecycle policies: each repository's policy and when it was last evaluated, the
  // latest preview per repository, and the audit log of every image a policy expired.
  `
  ALTER TABLE repositories ADD COLUMN lifecycle_policy TEXT;
  ALTER TABLE repositories ADD COLUMN lifecycle_evaluated_at INTEGER;
  CREATE TABLE lifecycle_previews (
    repository_id INTEGER PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE,
    policy TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT,
    started_at INTEGER NOT NULL,
    completed_at INTEGER
  );
  CREATE TABLE lifecycle_expirations (
    id INTEGER PRIMARY KEY,
    repository TEXT NOT NULL,
    digest TEXT NOT NULL,
    tags TEXT NOT NULL,
    rule_priority INTEGER,
    reason TEXT NOT NULL,
    via TEXT,
    expired_at INTEGER NOT NULL
  );
  CREATE INDEX lifecycle_expirations_by_time ON lifecycle_expirations(expired_at);
  CREATE INDEX lifecycle_expirations_by_repository ON lifecycle_expirations(repository, id);
  `,
  // 10: online garbage collection: when a blob was last made or used (a grace period
  // protects it from collection), and a mark for a blob whose bytes are being deleted
  // (indexed: a collector starts by finishing the marks a crashed run left).
  `
  ALTER TABLE blobs ADD COLUMN touched_at INTEGER;
  ALTER TABLE blobs ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;
  UPDATE blobs SET touched_at = created_at;
  CREATE INDEX blobs_marked_deleting ON blobs(digest) WHERE deleting = 1;
  `,
  // 11: usage metering: bytes and requests per repository per UTC day (several nodes
  // add to the same row), and a daily snapshot of stored bytes per repository and for
  // the whole registry after deduplication (what a GB-month estimate averages; a day
  // with a registry row was observed, so a repository without a row that day stored 0).
  `
  CREATE TABLE usage_daily (
    day TEXT NOT NULL,
    repository TEXT NOT NULL,
    bytes_in INTEGER NOT NULL DEFAULT 0,
    bytes_out INTEGER NOT NULL DEFAULT 0,
    pushes INTEGER NOT NULL DEFAULT 0,
    pulls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, repository)
  ) WITHOUT ROWID;
  CREATE TABLE storage_daily (
    day TEXT NOT NULL,
    repository TEXT NOT NULL,
    stored_bytes INTEGER NOT NULL,
    PRIMARY KEY (day, repository)
  ) WITHOUT ROWID;
  CREATE TABLE registry_storage_daily (
    day TEXT PRIMARY KEY,
    stored_bytes INTEGER NOT NULL,
    taken_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

function authorizationTriggers(events: ReadonlyArray<readonly [string, string]>): string {
  return events
    .map(([table, event]) => {
      const name = `${table}_${event.split(' ')[0]!.toLowerCase()}_moves_authorization`;
      return `CREATE TRIGGER ${name} AFTER ${event} ON ${table} BEGIN UPDATE authorization_generation SET value = value + 1; END;`;
    })
    .join('\n  ');
}
