//! The schema and its forward migrations, one SQL file per dialect
//! (`schema/*.sql`): the same tables and names, types differ.

use rusqlite::Connection;

use crate::error::ApiResult;

/// The schema version this build writes; older databases are upgraded.
pub const VERSION: i64 = 6;

const SQLITE_V1: &str = include_str!("schema/sqlite_v1.sql");
const POSTGRES_V1: &str = include_str!("schema/postgres_v1.sql");
/// Version 2 is one file: its few types differ only by name.
const V2: &str = include_str!("schema/v2.sql");
/// Version 3 (end-to-end encryption), one file like version 2.
const V3: &str = include_str!("schema/v3.sql");
/// Version 4 (a storage quota per account).
const V4: &str = include_str!("schema/v4.sql");
/// Version 5 (grants found by document).
const V5: &str = include_str!("schema/v5.sql");
/// Version 6 (account-key rotation).
const V6: &str = include_str!("schema/v6.sql");

/// PostgreSQL's names for the types a shared schema file writes SQLite's way.
fn postgres(sql: &str) -> String {
    sql.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
        .replace("INTEGER", "BIGINT")
        .replace("BLOB", "BYTEA")
}

/// Brings the SQLite file to [`VERSION`], one step at a time, in one transaction.
pub fn migrate_sqlite(conn: &mut Connection) -> ApiResult<()> {
    let tx = conn.transaction()?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version < 1 {
        tx.execute_batch(SQLITE_V1)?;
    }
    if version < 2 {
        tx.execute_batch(V2)?;
    }
    if version < 3 {
        tx.execute_batch(V3)?;
    }
    if version < 4 {
        tx.execute_batch(V4)?;
    }
    if version < 5 {
        tx.execute_batch(V5)?;
    }
    if version < 6 {
        tx.execute_batch(V6)?;
    }
    if version < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

/// An arbitrary constant: the advisory lock that serialises migrations when
/// several server processes start at once on one database.
const MIGRATION_LOCK: i64 = 0x5241_5050_4f52_5401;

/// Brings the PostgreSQL database to [`VERSION`] in one transaction, under an
/// advisory lock. The version lives in the table `schema_version`.
pub fn migrate_postgres(client: &mut postgres::Client) -> ApiResult<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let version: i64 = tx
        .query_opt("SELECT max(version) FROM schema_version", &[])?
        .map(|row| row.try_get::<_, Option<i64>>(0))
        .transpose()?
        .flatten()
        .unwrap_or(0);
    if version < 1 {
        tx.batch_execute(POSTGRES_V1)?;
    }
    if version < 2 {
        tx.batch_execute(&postgres(V2))?;
    }
    if version < 3 {
        tx.batch_execute(&postgres(V3))?;
    }
    if version < 4 {
        tx.batch_execute(&postgres(V4))?;
    }
    if version < 5 {
        tx.batch_execute(&postgres(V5))?;
    }
    if version < 6 {
        tx.batch_execute(&postgres(V6))?;
    }
    if version < VERSION {
        tx.execute("DELETE FROM schema_version", &[])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&VERSION],
        )?;
    }
    tx.commit()?;
    Ok(())
}
