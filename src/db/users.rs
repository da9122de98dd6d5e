use crate::types::{Role, UserId, UserSort};
use anyhow::Context;
use sqlx::{FromRow, PgExecutor, PgPool};
use time::OffsetDateTime;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    /// When the address was proven by a mailed link; `None`: not yet.
    pub email_verified_at: Option<OffsetDateTime>,
    /// A disabled account cannot sign in.
    pub disabled_at: Option<OffsetDateTime>,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

/// The columns of [`User`], for every query that loads one (prefixed `u.`).
pub const COLUMNS: &str = "u.id, u.email, u.display_name, u.password_hash, u.role, u.created_at, \
     u.email_verified_at, u.disabled_at";

pub enum CreateError {
    EmailTaken,
    Other(sqlx::Error),
}

/// A new account; `verified` when the address is already proven (an operator's account).
pub async fn create(
    pool: &PgPool,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
    verified: bool,
) -> Result<User, CreateError> {
    sqlx::query_as::<_, User>(&format!(
        "INSERT INTO users AS u (email, display_name, password_hash, role, email_verified_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
         RETURNING {COLUMNS}"
    ))
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(role)
    .bind(verified)
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("users_email_key") => {
            CreateError::EmailTaken
        }
        _ => CreateError::Other(e),
    })
}

pub async fn by_email(pool: &PgPool, email: &str) -> anyhow::Result<Option<User>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users u WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await
        .context("finding the account by email")
}

pub async fn by_id<'e>(db: impl PgExecutor<'e>, id: UserId) -> anyhow::Result<Option<User>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
        .context("loading the account")
}

pub async fn set_password<'e>(
    db: impl PgExecutor<'e>,
    id: UserId,
    hash: &str,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await
        .context("storing the new password hash")?;
    Ok(())
}

pub async fn set_role<'e>(db: impl PgExecutor<'e>, id: UserId, role: Role) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role)
        .execute(db)
        .await
        .context("storing the account's role")?;
    Ok(())
}

/// The address is proven (a verification or invitation link was followed).
pub async fn mark_verified<'e>(db: impl PgExecutor<'e>, id: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await
    .context("marking the address verified")?;
    Ok(())
}

/// Moves the account to a new, proven address; `false` when another account holds it.
pub async fn set_email<'e>(
    db: impl PgExecutor<'e>,
    id: UserId,
    email: &str,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1
           AND NOT EXISTS (SELECT 1 FROM users WHERE email = $2 AND id <> $1)",
    )
    .bind(id)
    .bind(email)
    .execute(db)
    .await;
    match r {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("users_email_key") => Ok(false),
        Err(e) => Err(e).context("changing the account's email"),
    }
}

pub async fn set_disabled<'e>(
    db: impl PgExecutor<'e>,
    id: UserId,
    disabled: bool,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1")
        .bind(id)
        .bind(disabled)
        .execute(db)
        .await
        .context("disabling or enabling the account")?;
    Ok(())
}

/// One line of the admin list.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    #[sqlx(flatten)]
    pub user: User,
    pub last_seen_at: Option<OffsetDateTime>,
    pub sessions: i64,
}

/// A page of accounts whose name or email contains `search`, and how many match in all.
pub async fn search(
    pool: &PgPool,
    search: &str,
    sort: UserSort,
    limit: i64,
    offset: i64,
) -> anyhow::Result<(Vec<UserRow>, i64)> {
    let order = match sort {
        UserSort::Newest => "u.created_at DESC, u.id",
        UserSort::Oldest => "u.created_at, u.id",
        UserSort::Name => "lower(u.display_name), u.email",
        UserSort::Email => "u.email",
        UserSort::Role => "u.role, u.email",
    };
    // LIKE's wildcards in what the admin typed are taken literally.
    let pattern = format!(
        "%{}%",
        search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let filter = "($1 = '%%' OR u.email LIKE $1 OR lower(u.display_name) LIKE $1)";
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS},
                (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at,
                (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions
         FROM users u WHERE {filter} ORDER BY {order} LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .context("listing the accounts")?;
    let total = sqlx::query_scalar(&format!("SELECT count(*) FROM users u WHERE {filter}"))
        .bind(&pattern)
        .fetch_one(pool)
        .await
        .context("counting the accounts")?;
    Ok((rows, total))
}

/// Unverified accounts due a reminder: created more than `remind_after_days` ago, not yet
/// reminded.
pub async fn due_verify_reminder(
    pool: &PgPool,
    remind_after_days: i64,
) -> anyhow::Result<Vec<User>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users u
         WHERE u.email_verified_at IS NULL AND u.verify_reminded_at IS NULL AND u.disabled_at IS NULL
           AND u.created_at < now() - make_interval(days => $1::int)
         ORDER BY u.created_at LIMIT 100"
    ))
    .bind(remind_after_days)
    .fetch_all(pool)
    .await
    .context("finding unverified accounts to remind")
}

/// Records the reminder; `false` when another process sent it first.
pub async fn mark_reminded(pool: &PgPool, id: UserId) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET verify_reminded_at = now() WHERE id = $1 AND verify_reminded_at IS NULL",
    )
    .bind(id)
    .execute(pool)
    .await
    .context("recording the verification reminder")?;
    Ok(r.rows_affected() == 1)
}

/// Accounts never verified within `days` (invited accounts included).
pub async fn expired_unverified(pool: &PgPool, days: i64) -> anyhow::Result<Vec<UserId>> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE email_verified_at IS NULL
           AND created_at < now() - make_interval(days => $1::int)
         ORDER BY created_at LIMIT 100",
    )
    .bind(days)
    .fetch_all(pool)
    .await
    .context("finding accounts never verified")
}

/// One account as the admin list shows it.
pub async fn row(pool: &PgPool, id: UserId) -> anyhow::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS},
                (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at,
                (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions
         FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("loading the account for the admin")
}
