//! The text of every mail the accounts send. Links are absolute, built from the configured public
//! address (never from the request's Host header, which a client controls).

use crate::mail::Mail;

fn mail(to: &str, subject: &str, text: String) -> Mail {
    Mail {
        to: to.to_string(),
        subject: subject.to_string(),
        text: format!("{}\n\n-- \nmockexam\n", wrap(&text, 72)),
    }
}

/// Wraps each line at `width` columns on spaces (a link longer than that stays whole), so mails
/// read well in every client and travel without re-encoding.
fn wrap(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out.join("\n")
}

pub fn reset_link(to: &str, name: &str, url: &str) -> Mail {
    mail(
        to,
        "Reset your mockexam password",
        format!(
            "Hello {name},\n\nsomeone (hopefully you) asked to reset the password of your mockexam \
             account. Open this link within 30 minutes to choose a new password:\n\n{url}\n\n\
             The link works once. Setting a new password signs you out everywhere.\n\
             If you did not ask, ignore this mail: your password stays as it is."
        ),
    )
}

pub fn password_changed(to: &str, name: &str, base: &str) -> Mail {
    mail(
        to,
        "Your mockexam password was changed",
        format!(
            "Hello {name},\n\nthe password of your mockexam account was just changed and every \
             session was signed out.\n\nIf this was not you, reset your password now:\n\n\
             {base}/password/forgot"
        ),
    )
}

pub fn verify_link(to: &str, name: &str, url: &str, days: i64) -> Mail {
    mail(
        to,
        "Confirm your email for mockexam",
        format!(
            "Hello {name},\n\nwelcome to mockexam. Please confirm that this address is yours by \
             opening this link:\n\n{url}\n\nYou can take mocks in the meantime. An account whose \
             address is not confirmed within {days} days is deleted."
        ),
    )
}

pub fn verify_reminder(to: &str, name: &str, url: &str, deadline: &str) -> Mail {
    mail(
        to,
        "Reminder: confirm your email for mockexam",
        format!(
            "Hello {name},\n\nyour mockexam account's address is not confirmed yet. Unless you \
             confirm it by {deadline}, the account and its attempts will be deleted.\n\n\
             Confirm it here:\n\n{url}"
        ),
    )
}

pub fn already_registered(to: &str, name: &str, base: &str) -> Mail {
    mail(
        to,
        "You already have a mockexam account",
        format!(
            "Hello {name},\n\nsomeone (hopefully you) tried to create a mockexam account with \
             this address, which already has one. Nothing was changed.\n\n\
             Sign in: {base}/login\nForgot your password? {base}/password/forgot"
        ),
    )
}

pub fn email_change_confirm(to: &str, name: &str, url: &str) -> Mail {
    mail(
        to,
        "Confirm your new email for mockexam",
        format!(
            "Hello {name},\n\nyou asked to use this address for your mockexam account. Open this \
             link to confirm it:\n\n{url}\n\nUntil then, your account keeps its old address."
        ),
    )
}

pub fn email_change_requested(to: &str, name: &str, new_email: &str, base: &str) -> Mail {
    mail(
        to,
        "Your mockexam email is about to change",
        format!(
            "Hello {name},\n\nsomeone signed in to your mockexam account asked to change its \
             address to {new_email}. It changes when the link sent there is opened.\n\n\
             If this was not you, change your password now: {base}/password/forgot"
        ),
    )
}

pub fn email_changed(to: &str, name: &str, new_email: &str, base: &str) -> Mail {
    mail(
        to,
        "Your mockexam email was changed",
        format!(
            "Hello {name},\n\nyour mockexam account now uses the address {new_email}; mails no \
             longer come here.\n\nIf this was not you, contact your administrator or reset the \
             password from the new address: {base}/password/forgot"
        ),
    )
}

pub fn email_change_taken(to: &str, base: &str) -> Mail {
    mail(
        to,
        "Someone tried to move a mockexam account to this address",
        format!(
            "Hello,\n\nsomeone asked to move another mockexam account to this address, which \
             already has an account of its own. Nothing was changed.\n\n\
             Sign in: {base}/login"
        ),
    )
}

pub fn invitation(to: &str, name: &str, inviter: &str, url: &str, days: i64) -> Mail {
    mail(
        to,
        "You are invited to mockexam",
        format!(
            "Hello {name},\n\n{inviter} created a mockexam account for you. Open this link within \
             {days} days to choose your password and start:\n\n{url}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_lines_are_wrapped_but_links_stay_whole() {
        let url = format!("http://localhost/password/reset/{}", "x".repeat(43));
        let m = reset_link("a@b.c", "Dana", &url);
        assert!(m.text.lines().any(|l| l == url), "{}", m.text);
        assert!(
            m.text.lines().all(|l| l.chars().count() <= 72 || l == url),
            "{}",
            m.text
        );
    }
}
