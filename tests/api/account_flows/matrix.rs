//! The authorization matrix of every account route: anonymous visitors, candidates, instructors
//! and admins. Anonymous visitors are sent to sign in; account pages are for the signed-in user
//! (their own data only); administration is for admins (others get 403 and change nothing).

use super::{account, count};
use crate::helpers::{signed_in_as, TestApp};
use sqlx::PgPool;

/// A form post: path, fields, who may (public, user, admin) and the status when allowed.
type Post = (String, Vec<(&'static str, &'static str)>, &'static str, u16);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Candidate,
    Instructor,
    Admin,
}

async fn browser(pool: &PgPool, who: Who) -> TestApp {
    let mut app = TestApp::new(pool.clone());
    let role = match who {
        Who::Anonymous => return app,
        Who::Candidate => "candidate",
        Who::Instructor => "instructor",
        Who::Admin => "admin",
    };
    signed_in_as(&mut app, &format!("{role}@matrix.example"), role).await;
    app
}

/// Expected status: pages open to everyone, pages for any signed-in user, pages for admins.
fn expected(who: Who, access: &str, ok: u16) -> u16 {
    match (access, who) {
        ("public", _) => ok,
        (_, Who::Anonymous) => 303,
        ("user", _) => ok,
        ("admin", Who::Admin) => ok,
        ("admin", _) => 403,
        _ => unreachable!(),
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn every_account_route_for_every_role(pool: PgPool) {
    let target = account(&pool, "target@matrix.example", "candidate").await;
    let t = target.to_string();
    let gets: Vec<(String, &str, u16)> = vec![
        ("/password/forgot".into(), "public", 200),
        ("/password/reset/not-a-token".into(), "public", 410),
        ("/verify/not-a-token".into(), "public", 410),
        ("/invite/not-a-token".into(), "public", 410),
        ("/privacy".into(), "public", 200),
        ("/register/check-inbox".into(), "public", 200),
        ("/account".into(), "user", 200),
        ("/account/email".into(), "user", 200),
        ("/account/sessions".into(), "user", 200),
        ("/account/export".into(), "user", 200),
        ("/account/delete".into(), "user", 200),
        ("/admin/users".into(), "admin", 200),
        ("/admin/users?q=x&sort=name&page=2".into(), "admin", 200),
        (format!("/admin/users/{t}"), "admin", 200),
        (format!("/admin/users/{t}/delete"), "admin", 200),
        ("/admin/audit".into(), "admin", 200),
        ("/admin/outbox".into(), "admin", 200),
        ("/admin/outbox/1-none.eml".into(), "admin", 404),
    ];
    // Posts that change nothing for anyone (bad or harmless input), so one browser per role can
    // run them all.
    let posts: Vec<Post> = vec![
        (
            "/password/forgot".into(),
            vec![("email", "bad")],
            "public",
            422,
        ),
        ("/password/reset/not-a-token".into(), vec![], "public", 410),
        ("/invite/not-a-token".into(), vec![], "public", 410),
        ("/account/email".into(), vec![("email", "bad")], "user", 422),
        ("/account/delete".into(), vec![], "user", 422),
        ("/account/verify/resend".into(), vec![], "user", 200),
        (
            format!("/account/sessions/{}/end", uuid::Uuid::new_v4()),
            vec![],
            "user",
            404,
        ),
        (
            "/admin/users/invite".into(),
            vec![("email", "bad")],
            "admin",
            422,
        ),
        (
            format!("/admin/users/{t}/role"),
            vec![("role", "instructor")],
            "admin",
            200,
        ),
        (
            format!("/admin/users/{}/disable", uuid::Uuid::new_v4()),
            vec![],
            "admin",
            404,
        ),
        (
            format!("/admin/users/{}/enable", uuid::Uuid::new_v4()),
            vec![],
            "admin",
            404,
        ),
        (
            format!("/admin/users/{}/reset", uuid::Uuid::new_v4()),
            vec![],
            "admin",
            404,
        ),
        (
            format!("/admin/users/{}/delete", uuid::Uuid::new_v4()),
            vec![],
            "admin",
            404,
        ),
    ];
    for who in [Who::Anonymous, Who::Candidate, Who::Instructor, Who::Admin] {
        let mut app = browser(&pool, who).await;
        for (path, access, ok) in &gets {
            let r = app.get(path).await;
            assert_eq!(
                r.status.as_u16(),
                expected(who, access, *ok),
                "{who:?} GET {path}"
            );
            if r.status.as_u16() == 303 && *access != "public" {
                assert!(
                    r.location().starts_with("/login?next="),
                    "{who:?} GET {path}"
                );
            }
        }
        for (path, fields, access, ok) in &posts {
            let r = app.post(path, fields).await;
            assert_eq!(
                r.status.as_u16(),
                expected(who, access, *ok),
                "{who:?} POST {path}"
            );
        }
    }
    // The state-changing admin posts, by everyone but an admin, change nothing.
    for who in [Who::Anonymous, Who::Candidate, Who::Instructor] {
        let mut app = browser(&pool, who).await;
        for action in ["disable", "reset", "delete"] {
            let status = app
                .post(&format!("/admin/users/{t}/{action}"), &[])
                .await
                .status;
            assert_eq!(
                status.as_u16(),
                if who == Who::Anonymous { 303 } else { 403 }
            );
        }
        let r = app
            .post(
                &format!("/admin/users/{t}/role"),
                &[("role", "admin"), ("confirm", "yes")],
            )
            .await;
        assert!(matches!(r.status.as_u16(), 303 | 403));
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM users WHERE email = 'target@matrix.example' AND role = 'candidate' AND disabled_at IS NULL").await,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM account_tokens WHERE purpose = 'reset'"
        )
        .await,
        0
    );
}
