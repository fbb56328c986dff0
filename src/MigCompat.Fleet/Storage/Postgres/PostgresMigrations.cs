namespace MigCompat.Fleet.Storage.Postgres;

/// <summary>The PostgreSQL schema, as numbered migrations. Append new ones; never edit an applied one.</summary>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock key every instance takes while migrating ("MigCompat" in ASCII, truncated).</summary>
    public const long AdvisoryLockKey = 0x4D6967436F6D70;

    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, name text NOT NULL, applied_at_ms bigint NOT NULL)";

    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "hosts, resources, claims",
            """
            CREATE TABLE hosts (
                name text NOT NULL PRIMARY KEY,
                generation bigint NOT NULL CHECK (generation >= 1),
                drained boolean NOT NULL DEFAULT false,
                updated_at_ms bigint NOT NULL,
                device_count bigint NOT NULL,
                inventory_json text NOT NULL
            );
            CREATE TABLE resources (
                host text NOT NULL,
                resource_key text NOT NULL,
                capacity bigint NOT NULL CHECK (capacity >= 0),
                PRIMARY KEY (host, resource_key)
            );
            CREATE TABLE claims (
                id text NOT NULL PRIMARY KEY,
                host text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'confirmed', 'released', 'expired')),
                created_at_ms bigint NOT NULL,
                expires_at_ms bigint NOT NULL,
                idempotency_key text UNIQUE,
                request_fingerprint text NOT NULL
            );
            CREATE INDEX claims_by_host_state ON claims (host, state);
            CREATE INDEX claims_pending_by_expiry ON claims (expires_at_ms) WHERE state = 'pending';
            CREATE TABLE claim_items (
                claim_id text NOT NULL,
                resource_key text NOT NULL,
                units bigint NOT NULL CHECK (units > 0),
                PRIMARY KEY (claim_id, resource_key)
            );
            """),
        // When a claim was released or expired, for purging ended claims after the retention. Claims
        // that ended before this migration get their expiry time: the release time was not recorded.
        new(2, "claims.ended_at_ms for the retention of released and expired claims",
            """
            ALTER TABLE claims ADD COLUMN IF NOT EXISTS ended_at_ms bigint;
            UPDATE claims SET ended_at_ms = expires_at_ms WHERE state IN ('released', 'expired') AND ended_at_ms IS NULL;
            CREATE INDEX IF NOT EXISTS claims_ended_by_time ON claims (ended_at_ms) WHERE ended_at_ms IS NOT NULL;
            """),
        // A device whose in_use is unknown is not free capacity (it may be in use): drop the device
        // rows stored for such devices before that rule, so no claim can take them.
        new(3, "no capacity for devices whose in_use is unknown",
            """
            DELETE FROM resources r
            USING hosts h, jsonb_array_elements(COALESCE(h.inventory_json::jsonb -> 'devices', '[]'::jsonb)) d
            WHERE r.host = h.name
              AND r.resource_key = 'device:' || (d ->> 'id')
              AND COALESCE(jsonb_typeof(d -> 'in_use'), 'null') NOT IN ('boolean');
            """),
        // Foreign keys with ON DELETE CASCADE: deleting a host deletes its resources and claims, deleting
        // a claim its items. Rows whose host or claim is gone (MigCompat never leaves any; a hand edit
        // might) are deleted first, so the constraints validate.
        new(4, "foreign keys: resources and claims to hosts, claim items to claims, on delete cascade",
            """
            DELETE FROM resources r WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.name = r.host);
            DELETE FROM claims c WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.name = c.host);
            DELETE FROM claim_items i WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = i.claim_id);
            ALTER TABLE resources ADD CONSTRAINT resources_host_fkey
                FOREIGN KEY (host) REFERENCES hosts (name) ON DELETE CASCADE;
            ALTER TABLE claims ADD CONSTRAINT claims_host_fkey
                FOREIGN KEY (host) REFERENCES hosts (name) ON DELETE CASCADE;
            ALTER TABLE claim_items ADD CONSTRAINT claim_items_claim_id_fkey
                FOREIGN KEY (claim_id) REFERENCES claims (id) ON DELETE CASCADE;
            """),
    ];
}
