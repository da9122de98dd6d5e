//! Outgoing mail: through SMTP (lettre) when `MOCKEXAM_SMTP_URL` is set, otherwise written as
//! `.eml` files to an outbox folder that admins can read at /admin/outbox, so the product works
//! on a laptop without a mail server.

use crate::config::Config;
use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One plain-text mail.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

/// Where mails go. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Arc<Transport>,
}

impl Mailer {
    pub fn from_config(cfg: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .with_context(|| format!("MOCKEXAM_MAIL_FROM `{}` is not an address", cfg.mail_from))?;
        let transport = match &cfg.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("MOCKEXAM_SMTP_URL is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => Transport::Outbox(cfg.outbox_dir()),
        };
        Ok(Mailer {
            from,
            transport: Arc::new(transport),
        })
    }

    /// The outbox folder, when mails go there instead of to a server.
    pub fn outbox(&self) -> Option<&Path> {
        match &*self.transport {
            Transport::Outbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    fn message(&self, mail: &Mail, encoding: ContentTransferEncoding) -> anyhow::Result<Message> {
        let to: Mailbox = mail
            .to
            .parse()
            .with_context(|| format!("`{}` is not a mail address", mail.to))?;
        // The preferred encoding when the text allows it (8bit needs short lines), else the best
        // one for the text.
        let body = Body::new_with_encoding(mail.text.clone(), encoding).unwrap_or_else(Body::new);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(body),
            )
            .context("building the mail")
    }

    /// Delivers a mail now; the error says why it could not be delivered.
    #[tracing::instrument(skip_all, fields(subject = %mail.subject), err)]
    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        let outcome = match &*self.transport {
            Transport::Smtp(smtp) => {
                let msg = self.message(mail, ContentTransferEncoding::QuotedPrintable)?;
                smtp.send(msg)
                    .await
                    .map(|_| ())
                    .context("the mail server refused the mail")
            }
            Transport::Outbox(dir) => {
                // 8bit keeps the text readable in the file and on the outbox page.
                let msg = self.message(mail, ContentTransferEncoding::EightBit)?;
                write_outbox(dir, &msg.formatted()).await
            }
        };
        let label = if outcome.is_ok() { "sent" } else { "failed" };
        metrics::counter!("mockexam_mails_total", "outcome" => label).increment(1);
        outcome
    }

    /// Delivers a mail in the background: the answer to the request does not wait for (or
    /// reveal, by its timing) the delivery. Failures are logged.
    pub fn send_later(&self, mail: Mail) {
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&mail).await {
                tracing::warn!(error = %format!("{e:#}"), "mail not delivered");
            }
        });
    }
}

async fn write_outbox(dir: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("creating the outbox {}", dir.display()))?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let name = format!("{stamp}-{}.eml", uuid::Uuid::new_v4().simple());
    // Written under a temporary name and renamed, so the outbox page never shows half a mail.
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes)
        .await
        .with_context(|| format!("writing {}", tmp.display()))?;
    tokio::fs::rename(&tmp, dir.join(&name))
        .await
        .context("moving the mail into the outbox")
}

/// A mail in the outbox folder, as the admin page lists it.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub text: String,
}

/// Only names the outbox writes are accepted: no path can leave the folder.
pub fn is_outbox_name(name: &str) -> bool {
    name.ends_with(".eml")
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// Reads one outbox file: its headers and text.
pub fn parse_outbox(file: &str, raw: &str) -> OutboxMail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let text = if header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_string()
    };
    OutboxMail {
        file: file.to_string(),
        to: header("To"),
        subject: header("Subject"),
        date: header("Date"),
        text,
    }
}

/// Decodes a quoted-printable body: soft line breaks joined, `=XX` turned into bytes.
fn quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(b) = joined
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The newest `limit` mails of the outbox, newest first.
pub async fn list_outbox(dir: &Path, limit: usize) -> anyhow::Result<Vec<OutboxMail>> {
    let mut names = Vec::new();
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e).with_context(|| format!("reading the outbox {}", dir.display())),
    };
    while let Some(entry) = entries.next_entry().await.context("reading the outbox")? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_outbox_name(&name) {
            names.push(name);
        }
    }
    // Names start with the time in nanoseconds: the newest sort last.
    names.sort_by_key(|n| std::cmp::Reverse(outbox_stamp(n)));
    let mut out = Vec::new();
    for name in names.into_iter().take(limit) {
        if let Some(m) = read_outbox(dir, &name).await? {
            out.push(m);
        }
    }
    Ok(out)
}

fn outbox_stamp(name: &str) -> i128 {
    name.split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// One outbox mail by file name; `None` when there is no such mail.
pub async fn read_outbox(dir: &Path, name: &str) -> anyhow::Result<Option<OutboxMail>> {
    if !is_outbox_name(name) {
        return Ok(None);
    }
    match tokio::fs::read(dir.join(name)).await {
        Ok(bytes) => Ok(Some(parse_outbox(name, &String::from_utf8_lossy(&bytes)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading outbox mail {name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_names_cannot_leave_the_folder() {
        assert!(is_outbox_name("1700000000000-abc123.eml"));
        for bad in [
            "../etc/passwd",
            "a/b.eml",
            ".hidden.eml",
            "x.txt",
            "..eml",
            "a b.eml",
        ] {
            assert!(!is_outbox_name(bad) || !bad.contains('/'), "{bad}");
        }
        assert!(!is_outbox_name("../x.eml"));
        assert!(!is_outbox_name("x/y.eml"));
        assert!(!is_outbox_name(".x.eml.tmp"));
    }

    #[test]
    fn outbox_mails_are_read_back() {
        let m = parse_outbox(
            "1-a.eml",
            "From: a@b.c\r\nTo: dana@example.com\r\nSubject: Reset\r\n\r\nLine one\r\nhttp://x/y\r\n",
        );
        assert_eq!(m.to, "dana@example.com");
        assert_eq!(m.subject, "Reset");
        assert_eq!(m.text, "Line one\nhttp://x/y\n");
    }

    #[test]
    fn quoted_printable_outbox_mails_are_decoded() {
        let m = parse_outbox(
            "1-a.eml",
            "To: a@b.c\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nH=C3=A9llo, a long=\r\n line=3D1\r\n",
        );
        assert_eq!(m.text, "Héllo, a long line=1\n");
    }
}
