namespace MigCompat.Fleet.Storage.Sqlite;

/// <summary>The SQLite schema, as numbered migrations. Append new ones; never edit an applied one.</summary>
internal static class SqliteMigrations
{
    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)";

    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "hosts, resources, claims",
            """
            CREATE TABLE hosts (
                name TEXT NOT NULL PRIMARY KEY,
                generation INTEGER NOT NULL CHECK (generation >= 1),
                drained INTEGER NOT NULL DEFAULT 0,
                updated_at_ms INTEGER NOT NULL,
                device_count INTEGER NOT NULL,
                inventory_json TEXT NOT NULL
            );
            CREATE TABLE resources (
                host TEXT NOT NULL,
                resource_key TEXT NOT NULL,
                capacity INTEGER NOT NULL CHECK (capacity >= 0),
                PRIMARY KEY (host, resource_key)
            );
            CREATE TABLE claims (
                id TEXT NOT NULL PRIMARY KEY,
                host TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'released', 'expired')),
                created_at_ms INTEGER NOT NULL,
                expires_at_ms INTEGER NOT NULL,
                idempotency_key TEXT UNIQUE,
                request_fingerprint TEXT NOT NULL
            );
            CREATE INDEX claims_by_host_state ON claims (host, state);
            CREATE INDEX claims_pending_by_expiry ON claims (expires_at_ms) WHERE state = 'pending';
            CREATE TABLE claim_items (
                claim_id TEXT NOT NULL,
                resource_key TEXT NOT NULL,
                units INTEGER NOT NULL CHECK (units > 0),
                PRIMARY KEY (claim_id, resource_key)
            );
            """),
        // When a claim was released or expired, for purging ended claims after the retention. Claims
        // that ended before this migration get their expiry time: the release time was not recorded.
        new(2, "claims.ended_at_ms for the retention of released and expired claims",
            """
            ALTER TABLE claims ADD COLUMN ended_at_ms INTEGER;
            UPDATE claims SET ended_at_ms = expires_at_ms WHERE state IN ('released', 'expired') AND ended_at_ms IS NULL;
            CREATE INDEX IF NOT EXISTS claims_ended_by_time ON claims (ended_at_ms) WHERE ended_at_ms IS NOT NULL;
            """),
        // A device whose in_use is unknown is not free capacity (it may be in use): drop the device
        // rows stored for such devices before that rule, so no claim can take them.
        new(3, "no capacity for devices whose in_use is unknown",
            """
            DELETE FROM resources
            WHERE resource_key LIKE 'device:%'
              AND EXISTS (
                SELECT 1 FROM hosts h, json_each(h.inventory_json, '$.devices') d
                WHERE h.name = resources.host
                  AND 'device:' || json_extract(d.value, '$.id') = resources.resource_key
                  AND COALESCE(json_type(d.value, '$.in_use'), 'null') NOT IN ('true', 'false'));
            """),
        // Foreign keys with ON DELETE CASCADE: deleting a host deletes its resources and claims, deleting
        // a claim its items. SQLite cannot add a constraint to a table, so each child table is rebuilt
        // (SQLite's documented "making other kinds of table schema changes" procedure: the store runs
        // migrations with foreign_keys off and runs foreign_key_check before committing). Rows whose
        // host or claim is gone (MigCompat never leaves any; a hand edit might) are not copied.
        new(4, "foreign keys: resources and claims to hosts, claim items to claims, on delete cascade",
            """
            CREATE TABLE resources_new (
                host TEXT NOT NULL REFERENCES hosts (name) ON DELETE CASCADE,
                resource_key TEXT NOT NULL,
                capacity INTEGER NOT NULL CHECK (capacity >= 0),
                PRIMARY KEY (host, resource_key)
            );
            INSERT INTO resources_new (host, resource_key, capacity)
                SELECT host, resource_key, capacity FROM resources WHERE host IN (SELECT name FROM hosts);
            DROP TABLE resources;
            ALTER TABLE resources_new RENAME TO resources;

            CREATE TABLE claims_new (
                id TEXT NOT NULL PRIMARY KEY,
                host TEXT NOT NULL REFERENCES hosts (name) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'released', 'expired')),
                created_at_ms INTEGER NOT NULL,
                expires_at_ms INTEGER NOT NULL,
                idempotency_key TEXT UNIQUE,
                request_fingerprint TEXT NOT NULL,
                ended_at_ms INTEGER
            );
            INSERT INTO claims_new (id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint, ended_at_ms)
                SELECT id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint, ended_at_ms
                FROM claims WHERE host IN (SELECT name FROM hosts);
            DROP TABLE claims;
            ALTER TABLE claims_new RENAME TO claims;
            CREATE INDEX claims_by_host_state ON claims (host, state);
            CREATE INDEX claims_pending_by_expiry ON claims (expires_at_ms) WHERE state = 'pending';
            CREATE INDEX claims_ended_by_time ON claims (ended_at_ms) WHERE ended_at_ms IS NOT NULL;

            CREATE TABLE claim_items_new (
                claim_id TEXT NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
                resource_key TEXT NOT NULL,
                units INTEGER NOT NULL CHECK (units > 0),
                PRIMARY KEY (claim_id, resource_key)
            );
            INSERT INTO claim_items_new (claim_id, resource_key, units)
                SELECT claim_id, resource_key, units FROM claim_items WHERE claim_id IN (SELECT id FROM claims);
            DROP TABLE claim_items;
            ALTER TABLE claim_items_new RENAME TO claim_items;
            """),
    ];
}
