//! One executor over both backends: the queries of this module's siblings are
//! written once, with SQLite's `?N` placeholders, and run on a
//! [`rusqlite::Transaction`] or a [`postgres::Transaction`] (where `?N`
//! becomes `$N`). Parameters and results are a small set of values: 64-bit
//! integers, text, bytes and null. Rows are copied out of the driver, which
//! keeps the two drivers' borrowing rules out of the query code.

use std::{cell::RefCell, collections::HashMap};

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::error::{ApiError, ApiResult};

/// A query parameter.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// What may be passed as a parameter (see the [`params!`](crate::params) macro).
pub trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(value) => value.to_param(),
            None => Param::Null,
        }
    }
}

/// Query parameters: `params![a, b.0, c]` borrows each argument.
#[macro_export]
macro_rules! params {
    ($($x:expr),* $(,)?) => {
        &[$($crate::db::exec::ToParam::to_param(&$x)),*] as &[$crate::db::exec::Param<'_>]
    };
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(n) => ValueRef::Integer(n),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            // PostgreSQL infers a parameter's type from its context: encode
            // the integer in whichever width it chose (never truncating).
            Param::Int(n) if *ty == Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
            Param::Int(n) if *ty == Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
            Param::Int(n) if *ty == Type::BOOL => (n != 0).to_sql(ty, out),
            Param::Int(n) => n.to_sql(ty, out),
            Param::Text(s) => s.to_sql(ty, out),
            Param::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::INT2,
            Type::INT4,
            Type::INT8,
            Type::BOOL,
            Type::TEXT,
            Type::VARCHAR,
            Type::BPCHAR,
            Type::NAME,
            Type::UNKNOWN,
            Type::BYTEA,
        ]
        .contains(ty)
    }

    to_sql_checked!();
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// What a [`Value`] converts to.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bytes(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row, copied out of the driver.
#[derive(Debug, Clone)]
pub struct Row(Vec<Value>);

impl Row {
    /// Column `index` as a `T`; an internal error when it is not one.
    pub fn get<T: FromValue>(&self, index: usize) -> ApiResult<T> {
        let value = self
            .0
            .get(index)
            .ok_or_else(|| ApiError::Internal(format!("no column {index} in a row")))?;
        T::from_value(value).ok_or_else(|| {
            ApiError::Internal(format!(
                "column {index} holds {value:?}, not a {}",
                std::any::type_name::<T>()
            ))
        })
    }

    /// The raw value of column `index`.
    pub fn value(&self, index: usize) -> ApiResult<&Value> {
        self.0
            .get(index)
            .ok_or_else(|| ApiError::Internal(format!("no column {index} in a row")))
    }

    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        use rusqlite::types::ValueRef;
        let n = row.as_ref().column_count();
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(f) => Value::Text(f.to_string()),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
            });
        }
        Ok(Row(values))
    }

    fn from_postgres(row: &postgres::Row) -> ApiResult<Row> {
        let mut values = Vec::with_capacity(row.len());
        for (i, column) in row.columns().iter().enumerate() {
            let ty = column.type_();
            let value = if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)?
                    .map(|n| Value::Int(i64::from(n)))
            } else if *ty == Type::INT2 {
                row.try_get::<_, Option<i16>>(i)?
                    .map(|n| Value::Int(i64::from(n)))
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i)?
                    .map(|b| Value::Int(i64::from(b)))
            } else if *ty == Type::BYTEA {
                row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes)
            } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
                row.try_get::<_, Option<String>>(i)?.map(Value::Text)
            } else {
                return Err(ApiError::Internal(format!(
                    "column {} has the unsupported type {ty}",
                    column.name()
                )));
            };
            values.push(value.unwrap_or(Value::Null));
        }
        Ok(Row(values))
    }
}

/// Which SQL dialect a transaction speaks (for the few statements that differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One open transaction on either backend. Every query of the server runs
/// through one of these.
pub struct Tx<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    // A connection inside a transaction its owner began (and ends): the
    // writer commits several requests' transactions at once (`db::sqlite`).
    Sqlite(&'a rusqlite::Connection),
    // `postgres::Transaction` takes `&mut self`; the query functions share
    // `&Tx`, and a transaction is only ever used from one thread.
    Postgres {
        tx: RefCell<PgSession<'a>>,
        statements: RefCell<&'a mut Statements>,
    },
}

/// Where PostgreSQL statements go: an open transaction, or (for a single
/// read statement, [`Tx::postgres_single`]) the connection itself, which
/// saves the `BEGIN` and `COMMIT` round trips.
enum PgSession<'a> {
    Transaction(postgres::Transaction<'a>),
    Single(&'a mut postgres::Client),
}

impl PgSession<'_> {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        match self {
            PgSession::Transaction(tx) => tx.prepare(sql),
            PgSession::Single(client) => client.prepare(sql),
        }
    }

    fn query(
        &mut self,
        statement: &postgres::Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        match self {
            PgSession::Transaction(tx) => tx.query(statement, params),
            PgSession::Single(client) => client.query(statement, params),
        }
    }

    fn execute(
        &mut self,
        statement: &postgres::Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        match self {
            PgSession::Transaction(tx) => tx.execute(statement, params),
            PgSession::Single(client) => client.execute(statement, params),
        }
    }

    fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        match self {
            PgSession::Transaction(tx) => tx.batch_execute(sql),
            PgSession::Single(client) => client.batch_execute(sql),
        }
    }
}

/// The statements a PostgreSQL connection has prepared, by their SQL: the
/// server's queries are a fixed set, each prepared once per connection.
pub type Statements = HashMap<String, postgres::Statement>;

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("dialect", &self.dialect())
            .finish()
    }
}

/// `?N` to `$N`, outside string literals.
pub fn to_postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_string = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// The connection's prepared statement for `sql`, prepared on first use.
fn pg_prepared(
    tx: &mut PgSession<'_>,
    statements: &mut Statements,
    sql: &str,
) -> ApiResult<postgres::Statement> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = tx.prepare(&to_postgres_placeholders(sql))?;
    statements.insert(sql.to_owned(), statement.clone());
    Ok(statement)
}

fn pg_params<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl<'a> Tx<'a> {
    /// A SQLite connection on which the caller has begun a transaction.
    pub fn sqlite(conn: &'a rusqlite::Connection) -> Tx<'a> {
        Tx {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn postgres(tx: postgres::Transaction<'a>, statements: &'a mut Statements) -> Tx<'a> {
        Tx {
            inner: Inner::Postgres {
                tx: RefCell::new(PgSession::Transaction(tx)),
                statements: RefCell::new(statements),
            },
        }
    }

    /// A PostgreSQL connection outside any transaction, for one read
    /// statement (it is its own consistent snapshot).
    pub fn postgres_single(
        client: &'a mut postgres::Client,
        statements: &'a mut Statements,
    ) -> Tx<'a> {
        Tx {
            inner: Inner::Postgres {
                tx: RefCell::new(PgSession::Single(client)),
                statements: RefCell::new(statements),
            },
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// Commits a PostgreSQL transaction; on SQLite the caller commits.
    pub fn commit(self) -> ApiResult<()> {
        if let Inner::Postgres { tx, .. } = self.inner
            && let PgSession::Transaction(tx) = tx.into_inner()
        {
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs a PostgreSQL query through the connection's prepared statement.
    fn pg_query(
        tx: &RefCell<PgSession<'a>>,
        statements: &RefCell<&'a mut Statements>,
        sql: &str,
        params: &[Param<'_>],
    ) -> ApiResult<Vec<postgres::Row>> {
        let mut tx = tx.borrow_mut();
        let statement = pg_prepared(&mut tx, &mut statements.borrow_mut(), sql)?;
        Ok(tx.query(&statement, &pg_params(params))?)
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> ApiResult<u64> {
        match &self.inner {
            Inner::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(sql)?;
                let n = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
                Ok(u64::try_from(n).unwrap_or(u64::MAX))
            }
            Inner::Postgres { tx, statements } => {
                let mut tx = tx.borrow_mut();
                let statement = pg_prepared(&mut tx, &mut statements.borrow_mut(), sql)?;
                Ok(tx.execute(&statement, &pg_params(params))?)
            }
        }
    }

    /// Runs several statements without parameters (schema set-up).
    pub fn execute_batch(&self, sql: &str) -> ApiResult<()> {
        match &self.inner {
            Inner::Sqlite(tx) => tx.execute_batch(sql)?,
            Inner::Postgres { tx, .. } => tx.borrow_mut().batch_execute(sql)?,
        }
        Ok(())
    }

    /// Every row of a query, each mapped by `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row) -> ApiResult<T>,
    ) -> ApiResult<Vec<T>> {
        match &self.inner {
            Inner::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(f(&Row::from_sqlite(row)?)?);
                }
                Ok(out)
            }
            Inner::Postgres { tx, statements } => {
                let rows = Self::pg_query(tx, statements, sql, params)?;
                rows.iter()
                    .map(|row| f(&Row::from_postgres(row)?))
                    .collect()
            }
        }
    }

    /// The first row of a query, if any, mapped by `f`.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row) -> ApiResult<T>,
    ) -> ApiResult<Option<T>> {
        let row = match &self.inner {
            Inner::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                match rows.next()? {
                    Some(row) => Some(Row::from_sqlite(row)?),
                    None => None,
                }
            }
            Inner::Postgres { tx, statements } => {
                let rows = Self::pg_query(tx, statements, sql, params)?;
                rows.first().map(Row::from_postgres).transpose()?
            }
        };
        row.as_ref().map(f).transpose()
    }

    /// The first row of a query, mapped by `f`; an internal error if none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| ApiError::Internal("a query expected a row and found none".into()))
    }

    /// Serialises the transactions that pass the same key, until commit
    /// (PostgreSQL: a transaction-scoped advisory lock). A no-op on SQLite,
    /// whose write transactions are serialised already.
    pub fn lock(&self, key: &str) -> ApiResult<()> {
        if self.dialect() == Dialect::Postgres {
            self.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))",
                crate::params![key],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::to_postgres_placeholders;

    #[test]
    fn placeholders_are_rewritten_outside_literals() {
        assert_eq!(
            to_postgres_placeholders("SELECT ?1, '?2' FROM t WHERE a = ?12 AND b = ?"),
            "SELECT $1, '?2' FROM t WHERE a = $12 AND b = ?"
        );
    }
}
