//! Administration: search, sort and pages; invitations; disable and re-enable; reset links; role
//! changes with confirmation; deletion; the audit log.

use super::mail_sink::{link, path_of};
use super::{account, app_with_sink, count, user_id};
use crate::helpers::{signed_in_as, TestApp, PASSWORD};
use sqlx::PgPool;

async fn admin_app(pool: &PgPool) -> (TestApp, super::mail_sink::MailSink) {
    let (mut app, sink) = app_with_sink(pool).await;
    signed_in_as(&mut app, "root@example.com", "admin").await;
    (app, sink)
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_list_searches_sorts_and_pages(pool: PgPool) {
    let (mut admin, _) = admin_app(&pool).await;
    for i in 0..30 {
        account(&pool, &format!("student{i:02}@school.example"), "candidate").await;
    }
    account(&pool, "zed_teacher@example.com", "instructor").await;
    let first = admin.get("/admin/users?sort=email").await;
    first
        .assert_status(200)
        .assert_contains("32 account(s). Page 1 of 2.")
        .assert_contains("root@example.com")
        .assert_selector("a[href='/admin/users?q=&sort=email&page=2']");
    assert_eq!(first.select("tbody tr").len(), 25);
    let second = admin.get("/admin/users?sort=email&page=2").await;
    second.assert_contains("zed_teacher@example.com");
    assert_eq!(second.select("tbody tr").len(), 7);
    // Search by part of the email or name, case-insensitively; LIKE wildcards are literal.
    let found = admin.get("/admin/users?q=STUDENT2").await;
    found.assert_contains("10 account(s) matching “STUDENT2”");
    admin
        .get("/admin/users?q=zed_")
        .await
        .assert_contains("1 account(s)");
    admin
        .get("/admin/users?q=%25")
        .await
        .assert_contains("0 account(s)");
    // Sorted by role: admins first.
    let by_role = admin.get("/admin/users?sort=role").await;
    let first_row = by_role.select("tbody tr td")[2].text().collect::<String>();
    assert_eq!(first_row, "admin");
    // Nonsense parameters fall back to the defaults.
    admin
        .get("/admin/users?sort=bogus&page=-3")
        .await
        .assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_invited_user_chooses_a_password_from_the_mail(pool: PgPool) {
    let (mut admin, sink) = admin_app(&pool).await;
    admin
        .post(
            "/admin/users/invite",
            &[("email", "bad"), ("display_name", ""), ("role", "wizard")],
        )
        .await
        .assert_status(422)
        .assert_contains("Enter an email address like name@example.com.")
        .assert_contains("Choose a role");
    let r = admin
        .post(
            "/admin/users/invite",
            &[
                ("email", "Ivy@Example.com"),
                ("display_name", "Ivy"),
                ("role", "instructor"),
            ],
        )
        .await;
    r.assert_status(200)
        .assert_contains("Invited ivy@example.com: the invitation was mailed.");
    admin
        .post(
            "/admin/users/invite",
            &[
                ("email", "ivy@example.com"),
                ("display_name", "Ivy"),
                ("role", "candidate"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("ivy@example.com already has an account.");
    let mail = sink.wait_for("ivy@example.com", 1).await.remove(0);
    assert_eq!(mail.subject, "You are invited to mockexam");
    let path = path_of(&link(&mail, "http://localhost/invite/"));
    let mut ivy = admin.other_browser();
    // No password works before the invitation is accepted.
    ivy.login("ivy@example.com", PASSWORD)
        .await
        .assert_status(401);
    ivy.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Welcome to mockexam");
    let r = ivy
        .post(
            &path,
            &[
                ("new_password", "ivy's own passphrase"),
                ("new_password_confirm", "ivy's own passphrase"),
            ],
        )
        .await;
    r.assert_status(303);
    ivy.get("/author").await.assert_status(200);
    assert_eq!(count(&pool, "SELECT count(*) FROM users WHERE email = 'ivy@example.com' AND email_verified_at IS NOT NULL").await, 1);
    ivy.get(&path).await.assert_status(410);
    admin
        .get("/admin/audit")
        .await
        .assert_contains("root@example.com Invited ivy@example.com instructor");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn disabling_ends_sessions_and_blocks_sign_in_until_re_enabled(pool: PgPool) {
    let (mut admin, _) = admin_app(&pool).await;
    let id = account(&pool, "d@example.com", "candidate").await;
    let mut user = admin.other_browser();
    user.login("d@example.com", PASSWORD)
        .await
        .assert_status(303);
    admin
        .post(&format!("/admin/users/{id}/disable"), &[])
        .await
        .assert_status(200)
        .assert_contains("d@example.com is disabled; 1 session(s) ended.")
        .assert_contains("Status disabled");
    user.get("/").await.assert_contains("Create a free account");
    user.login("d@example.com", PASSWORD)
        .await
        .assert_status(403);
    // A reset link cannot bring a disabled account back.
    user.post("/password/forgot", &[("email", "d@example.com")])
        .await
        .assert_status(200);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM account_tokens WHERE purpose = 'reset'"
        )
        .await,
        0
    );
    admin
        .post(&format!("/admin/users/{id}/enable"), &[])
        .await
        .assert_status(200)
        .assert_contains("d@example.com can sign in again.");
    user.login("d@example.com", PASSWORD)
        .await
        .assert_status(303);
    // Nobody disables themselves.
    let me = user_id(&pool, "root@example.com").await;
    admin
        .post(&format!("/admin/users/{me}/disable"), &[])
        .await
        .assert_status(409)
        .assert_contains("You cannot disable your own account.");
    let audit = admin.get("/admin/audit").await;
    audit
        .assert_contains("Disabled d@example.com")
        .assert_contains("Re-enabled d@example.com");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_admin_mails_a_reset_link(pool: PgPool) {
    let (mut admin, sink) = admin_app(&pool).await;
    let id = account(&pool, "forgetful@example.com", "candidate").await;
    admin
        .post(&format!("/admin/users/{id}/reset"), &[])
        .await
        .assert_status(200)
        .assert_contains("A reset link was mailed to forgetful@example.com");
    let mail = sink.wait_for("forgetful@example.com", 1).await.remove(0);
    let mut user = admin.other_browser();
    user.get(&path_of(&link(&mail, "http://localhost/password/reset/")))
        .await
        .assert_status(200);
    admin
        .get("/admin/audit")
        .await
        .assert_contains("Sent a reset link to forgetful@example.com");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_role_change_asks_first_then_says_it_saved(pool: PgPool) {
    let (mut admin, _) = admin_app(&pool).await;
    let id = account(&pool, "teach@example.com", "candidate").await;
    let ask = admin
        .post(
            &format!("/admin/users/{id}/role"),
            &[("role", "instructor")],
        )
        .await;
    ask.assert_status(200)
        .assert_contains("Change the role?")
        .assert_contains("Make teach@example.com instructor instead of candidate?")
        .assert_selector("input[name='confirm'][value='yes']");
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, "candidate", "nothing changes before the confirmation");
    admin
        .post(
            &format!("/admin/users/{id}/role"),
            &[("role", "instructor"), ("confirm", "yes")],
        )
        .await
        .assert_status(200)
        .assert_contains("Saved: teach@example.com is now an instructor.")
        .assert_contains("Role instructor");
    admin
        .post(
            &format!("/admin/users/{id}/role"),
            &[("role", "superuser"), ("confirm", "yes")],
        )
        .await
        .assert_status(400);
    let me = user_id(&pool, "root@example.com").await;
    admin
        .post(
            &format!("/admin/users/{me}/role"),
            &[("role", "candidate"), ("confirm", "yes")],
        )
        .await
        .assert_status(409);
    admin
        .get("/admin/audit")
        .await
        .assert_contains("Changed the role of teach@example.com candidate → instructor");
    admin
        .post(
            &format!("/admin/users/{}/role", uuid::Uuid::new_v4()),
            &[("role", "admin"), ("confirm", "yes")],
        )
        .await
        .assert_status(404);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_admin_deletes_an_account_after_confirming(pool: PgPool) {
    let (mut admin, _) = admin_app(&pool).await;
    let id = account(&pool, "gone@example.com", "candidate").await;
    let mut user = admin.other_browser();
    user.login("gone@example.com", PASSWORD).await;
    admin
        .get(&format!("/admin/users/{id}/delete"))
        .await
        .assert_status(200)
        .assert_contains("Delete Dana Example?");
    admin
        .post(&format!("/admin/users/{id}/delete"), &[])
        .await
        .assert_status(200)
        .assert_contains("gone@example.com was deleted.");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE email = 'gone@example.com'"
        )
        .await,
        0
    );
    user.get("/").await.assert_contains("Create a free account");
    let audit = admin.get("/admin/audit").await;
    audit.assert_contains("root@example.com Deleted gone@example.com");
    admin
        .get(&format!("/admin/users/{id}"))
        .await
        .assert_status(404);
}
