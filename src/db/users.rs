use crate::types::{Role, UserId};
use anyhow::Context;
use sqlx::{FromRow, PgPool};
use time::OffsetDateTime;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
}

pub enum CreateError {
    EmailTaken,
    Other(sqlx::Error),
}

pub async fn create(
    pool: &PgPool,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> Result<User, CreateError> {
    sqlx::query_as::<_, User>(
        "INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, $2, $3, $4)
         RETURNING id, email, display_name, password_hash, role, created_at",
    )
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(role)
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
    sqlx::query_as("SELECT id, email, display_name, password_hash, role, created_at FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
        .context("finding the account by email")
}

pub async fn by_id(pool: &PgPool, id: UserId) -> anyhow::Result<Option<User>> {
    sqlx::query_as(
        "SELECT id, email, display_name, password_hash, role, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("loading the account")
}

pub async fn set_password(pool: &PgPool, id: UserId, hash: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(pool)
        .await
        .context("storing the new password hash")?;
    Ok(())
}

pub async fn set_role(pool: &PgPool, id: UserId, role: Role) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role)
        .execute(pool)
        .await
        .context("storing the account's role")?;
    Ok(())
}

pub async fn list(pool: &PgPool) -> anyhow::Result<Vec<User>> {
    sqlx::query_as("SELECT id, email, display_name, password_hash, role, created_at FROM users ORDER BY created_at")
        .fetch_all(pool)
        .await
        .context("listing the accounts")
}
