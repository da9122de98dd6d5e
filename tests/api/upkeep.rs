//! Writes that every request repeats must stay cheap where nothing vacuums: autovacuum is off on
//! some servers, so a write that adds index entries adds them for good.

use mockexam::db::sessions::{self, Client, Lifetime};
use sqlx::PgPool;

const LIFE: Lifetime = Lifetime {
    idle_hours: 24,
    absolute_hours: 720,
};

async fn session(pool: &PgPool, email: &str) -> (mockexam::types::UserId, String) {
    let user = mockexam::db::users::create(
        pool,
        email,
        "Touch",
        "no password",
        mockexam::types::Role::Candidate,
        true,
    )
    .await
    .unwrap_or_else(|_| panic!("creating {email}"));
    let client = Client {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) upkeep test",
        ip: "127.0.0.1",
    };
    let token = sessions::create(pool, user.id, LIFE, &client)
        .await
        .unwrap();
    (user.id, token)
}

/// Makes the session's next request touch it (last seen over a minute ago).
async fn seen_two_minutes_ago(pool: &PgPool, token: &str) {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE token_hash = $1",
    )
    .bind(sessions::hash_token(token))
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_session_touch_is_a_hot_update_and_adds_no_index_entry(pool: PgPool) {
    // Other browsers' sessions around it, as on a server in use.
    for i in 0..100 {
        session(&pool, &format!("other{i}@upkeep.test")).await;
    }
    let (user, token) = session(&pool, "touched@upkeep.test").await;
    seen_two_minutes_ago(&pool, &token).await;

    // The request's lookup, counted within its own transaction.
    let mut tx = pool.begin().await.unwrap();
    let found: Option<mockexam::db::users::User> = sqlx::query_as(sessions::user_for_sql())
        .bind(sessions::hash_token(&token))
        .bind(LIFE.idle_hours as i32)
        .bind(LIFE.absolute_hours as i32)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(user), "the session resolves");
    let (updated, hot): (i64, i64) = sqlx::query_as(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'sessions'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (updated, hot),
        (1, 1),
        "the touch is one update, kept on its page with no index entry (HOT)"
    );

    // A month of a busy browser's touches later, the indexes are the size they were.
    let index_size = || async {
        sqlx::query_scalar::<_, i64>("SELECT pg_indexes_size('sessions')")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = index_size().await;
    for _ in 0..500 {
        seen_two_minutes_ago(&pool, &token).await;
        let found = sessions::user_for(&pool, &token, LIFE).await.unwrap();
        assert!(found.is_some());
    }
    assert_eq!(
        index_size().await,
        before,
        "500 touches added no index entry"
    );
}
