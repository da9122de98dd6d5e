//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), run on the
//! blocking pool so a burst of sign-ins cannot stall the async workers.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 1024;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

pub fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// At most this many hashes at once (19 MiB each): a burst of sign-ins queues instead of
/// exhausting memory.
const PARALLEL_HASHES: usize = 4;

fn permits() -> &'static tokio::sync::Semaphore {
    static S: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    S.get_or_init(|| tokio::sync::Semaphore::new(PARALLEL_HASHES))
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    let _permit = permits().acquire().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

pub async fn verify(password: String, phc: String) -> anyhow::Result<bool> {
    let _permit = permits().acquire().await?;
    Ok(tokio::task::spawn_blocking(move || verify_blocking(&password, &phc)).await?)
}

/// A hash of a random password, verified against when the account does not exist so that the
/// response time does not reveal which emails are registered.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_blocking("not-a-real-password-0123456789").expect("hash"))
}

/// Problems with a new password, in plain words.
pub fn strength_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        Some(format!(
            "Use at least {MIN_LENGTH} characters for your password (you typed {n})."
        ))
    } else if n > MAX_LENGTH {
        Some(format!(
            "Use at most {MAX_LENGTH} characters for your password."
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let h = super::hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify_blocking("correct horse battery", &h));
        assert!(!super::verify_blocking("wrong horse battery", &h));
    }
}
