//! Whether a password may be checked now: the sign-in throttle's decision over the failures
//! recorded in the database (`db::throttle` loads them under a lock and records the outcome).
//!
//! The design follows OWASP's authentication cheat sheet ("protect against automated attacks"
//! without letting anyone lock the owner out):
//! - an untrusted client (no device cookie for this account) is limited per **account and client
//!   address pair** (5 / 15 min), so guesses from one place pause that place only;
//! - a slower **global limit per account** (50 / 24 h) over all untrusted clients stops a guesser
//!   spread over many addresses;
//! - a **trusted device** (a browser holding a device cookie from an earlier sign-in to this
//!   account) is limited only by its own failures (5 / 15 min): the owner's correct password from
//!   their usual browser passes while the account is under attack from elsewhere;
//! - a **per-address limit** over all accounts (20 / 15 min) stops one client spraying many
//!   accounts; failures of trusted devices do not count against it.
//!
//! Checks in flight count: a row is written before the password is verified, so parallel guesses
//! cannot all slip under a limit. A check that would only be over a limit because of others still
//! in flight waits for a free slot instead of being refused, so a classroom signing in at once from
//! one address is not refused either.

/// One recorded failure (or a check in flight) that may count against this sign-in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failure {
    /// Seconds since it was recorded.
    pub age_secs: f64,
    /// Against the account being signed in to.
    pub same_account: bool,
    /// From the same client address.
    pub same_ip: bool,
    /// `None`: from an untrusted client; `Some(true)`: from the device now signing in;
    /// `Some(false)`: from another trusted device.
    pub device: Option<bool>,
    /// Recorded by a check still running (its password not yet known to be wrong).
    pub in_flight: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures per account and client (address, or trusted device) within `window_secs`.
    pub per_client: usize,
    /// Failures per address over all accounts within `window_secs` (untrusted clients).
    pub per_ip: usize,
    /// Failures per account over all untrusted clients within `global_window_secs`.
    pub per_account_global: usize,
    pub window_secs: i64,
    pub global_window_secs: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password.
    Go,
    /// Over a limit only counting checks still in flight: ask again in a moment.
    Wait,
    /// Over a limit: try again after this many seconds.
    Throttled(i64),
}

/// One limit over the failures matching `counts`, inside `window` seconds.
fn one_limit(
    failures: &[Failure],
    counts: impl Fn(&Failure) -> bool,
    limit: usize,
    window: i64,
) -> Decision {
    let mut confirmed: Vec<f64> = Vec::new();
    let mut in_flight = 0usize;
    for f in failures
        .iter()
        .filter(|f| counts(f) && f.age_secs < window as f64)
    {
        if f.in_flight {
            in_flight += 1;
        } else {
            confirmed.push(f.age_secs);
        }
    }
    if limit == 0 {
        return Decision::Throttled(window.max(1));
    }
    if confirmed.len() >= limit {
        // The limit-th most recent failure decides: the pause ends when it leaves the window.
        confirmed.sort_by(|a, b| a.total_cmp(b));
        let age = confirmed[limit - 1];
        return Decision::Throttled(((window as f64 - age).ceil() as i64).max(1));
    }
    if confirmed.len() + in_flight >= limit {
        Decision::Wait
    } else {
        Decision::Go
    }
}

/// The decision for a sign-in to an account from a client: trusted when the browser holds a
/// device cookie for this account.
pub fn decide(failures: &[Failure], trusted: bool, limits: &Limits) -> Decision {
    let w = limits.window_secs;
    let decisions = if trusted {
        vec![one_limit(
            failures,
            |f| f.same_account && f.device == Some(true),
            limits.per_client,
            w,
        )]
    } else {
        vec![
            one_limit(
                failures,
                |f| f.same_account && f.same_ip && f.device.is_none(),
                limits.per_client,
                w,
            ),
            one_limit(
                failures,
                |f| f.same_account && f.device.is_none(),
                limits.per_account_global,
                limits.global_window_secs,
            ),
            one_limit(
                failures,
                |f| f.same_ip && f.device.is_none(),
                limits.per_ip,
                w,
            ),
        ]
    };
    combine(&decisions)
}

/// The strictest of several decisions: the longest pause, else a wait, else go.
fn combine(decisions: &[Decision]) -> Decision {
    let pause = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Throttled(s) => Some(*s),
            _ => None,
        })
        .max();
    match pause {
        Some(s) => Decision::Throttled(s),
        None if decisions.contains(&Decision::Wait) => Decision::Wait,
        None => Decision::Go,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: Limits = Limits {
        per_client: 5,
        per_ip: 20,
        per_account_global: 50,
        window_secs: 900,
        global_window_secs: 86_400,
    };

    fn f(age: f64, same_account: bool, same_ip: bool, device: Option<bool>) -> Failure {
        Failure {
            age_secs: age,
            same_account,
            same_ip,
            device,
            in_flight: false,
        }
    }

    #[test]
    fn five_failures_from_one_address_pause_that_pair() {
        let fails: Vec<_> = (0..5)
            .map(|i| f(i as f64 * 10.0, true, true, None))
            .collect();
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Throttled(860));
        assert_eq!(decide(&fails[..4], false, &LIMITS), Decision::Go);
    }

    #[test]
    fn an_attacker_elsewhere_does_not_lock_out_the_owner_at_another_address() {
        let fails: Vec<_> = (0..5).map(|_| f(1.0, true, false, None)).collect();
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Go);
    }

    #[test]
    fn the_global_limit_stops_many_addresses_but_not_a_trusted_device() {
        let fails: Vec<_> = (0..50)
            .map(|i| f(100.0 + i as f64, true, false, None))
            .collect();
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Throttled(86_251));
        assert_eq!(decide(&fails, true, &LIMITS), Decision::Go);
    }

    #[test]
    fn a_trusted_device_is_limited_by_its_own_failures_only() {
        let mut fails: Vec<_> = (0..5).map(|_| f(1.0, true, true, Some(false))).collect();
        assert_eq!(decide(&fails, true, &LIMITS), Decision::Go);
        fails.extend((0..5).map(|_| f(1.0, true, true, Some(true))));
        assert_eq!(decide(&fails, true, &LIMITS), Decision::Throttled(899));
    }

    #[test]
    fn an_address_spraying_accounts_is_paused_for_all_of_them() {
        let fails: Vec<_> = (0..20).map(|_| f(1.0, false, true, None)).collect();
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Throttled(899));
        // Trusted devices do not count against the address, and are not held up by it.
        assert_eq!(decide(&fails, true, &LIMITS), Decision::Go);
    }

    #[test]
    fn checks_in_flight_make_others_wait_rather_than_be_refused() {
        let mut fails: Vec<_> = (0..19).map(|_| f(1.0, false, true, None)).collect();
        fails.push(Failure {
            in_flight: true,
            ..f(0.5, false, true, None)
        });
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Wait);
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let fails: Vec<_> = (0..5).map(|_| f(901.0, true, true, None)).collect();
        assert_eq!(decide(&fails, false, &LIMITS), Decision::Go);
    }

    fn failure() -> impl Strategy<Value = Failure> {
        (
            0.0f64..100_000.0,
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
            any::<bool>(),
        )
            .prop_map(
                |(age_secs, same_account, same_ip, device, in_flight)| Failure {
                    age_secs,
                    same_account,
                    same_ip,
                    device,
                    in_flight,
                },
            )
    }

    proptest! {
        /// Whatever is recorded, `Go` means every limit has a free slot even if every check in
        /// flight fails: letting this check run can never exceed a limit.
        #[test]
        fn go_never_exceeds_a_limit(fails in prop::collection::vec(failure(), 0..80), trusted in any::<bool>()) {
            if decide(&fails, trusted, &LIMITS) == Decision::Go {
                let count = |p: &dyn Fn(&Failure) -> bool, w: i64| {
                    fails.iter().filter(|f| p(f) && f.age_secs < w as f64).count()
                };
                if trusted {
                    prop_assert!(count(&|f| f.same_account && f.device == Some(true), 900) < 5);
                } else {
                    prop_assert!(count(&|f| f.same_account && f.same_ip && f.device.is_none(), 900) < 5);
                    prop_assert!(count(&|f| f.same_account && f.device.is_none(), 86_400) < 50);
                    prop_assert!(count(&|f| f.same_ip && f.device.is_none(), 900) < 20);
                }
            }
        }

        /// A pause never outlasts its window, and more failures never shorten it.
        #[test]
        fn pauses_are_bounded_and_monotone(
            fails in prop::collection::vec(failure(), 0..80),
            extra in failure(),
            trusted in any::<bool>(),
        ) {
            let before = decide(&fails, trusted, &LIMITS);
            if let Decision::Throttled(s) = before {
                prop_assert!((1..=86_400).contains(&s));
                let mut more = fails.clone();
                more.push(Failure { in_flight: false, ..extra });
                match decide(&more, trusted, &LIMITS) {
                    Decision::Throttled(t) => prop_assert!(t >= s),
                    other => prop_assert!(false, "{other:?} after {before:?}"),
                }
            }
        }
    }
}
