//! The development transport: each message is written to an outbox folder as
//! `<reference>.sms.json` or `<reference>.email.json`, and its reference (not its content) is logged.
//! It is what `vigil serve` uses with no configuration, so nothing ever leaves the machine.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{
    Accepted, EmailTransport, Lookup, OutgoingEmail, OutgoingSms, SmsTransport, TransportError,
    check_reference,
};

/// The status a written message reports on lookup: it will never go any further.
pub const LOGGED_STATUS: &str = "delivered";

#[derive(Debug, Serialize)]
struct SmsFile<'a> {
    channel: &'static str,
    reference: &'a str,
    to: &'a str,
    body: &'a str,
    written_at: String,
}

#[derive(Debug, Serialize)]
struct EmailFile<'a> {
    channel: &'static str,
    reference: &'a str,
    to: &'a str,
    subject: &'a str,
    body: &'a str,
    written_at: String,
}

/// Writes texts to `<outbox>/<reference>.sms.json`.
#[derive(Debug, Clone)]
pub struct LogSms {
    outbox_dir: PathBuf,
}

impl LogSms {
    pub fn new(outbox_dir: PathBuf) -> Self {
        Self { outbox_dir }
    }

    /// Where the text with this reference is (or would be) written.
    pub fn path_for(&self, reference: &str) -> PathBuf {
        self.outbox_dir.join(format!("{reference}.sms.json"))
    }
}

/// Writes emails to `<outbox>/<reference>.email.json`.
#[derive(Debug, Clone)]
pub struct LogEmail {
    outbox_dir: PathBuf,
}

impl LogEmail {
    pub fn new(outbox_dir: PathBuf) -> Self {
        Self { outbox_dir }
    }

    /// Where the email with this reference is (or would be) written.
    pub fn path_for(&self, reference: &str) -> PathBuf {
        self.outbox_dir.join(format!("{reference}.email.json"))
    }
}

#[async_trait::async_trait]
impl SmsTransport for LogSms {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError> {
        check_reference(&sms.reference)?;
        let file = SmsFile {
            channel: "sms",
            reference: &sms.reference,
            to: &sms.to,
            body: &sms.body,
            written_at: chrono::Utc::now().to_rfc3339(),
        };
        write_json(self.path_for(&sms.reference), &file).await?;
        tracing::info!(
            reference = %sms.reference,
            body_chars = sms.body.chars().count(),
            "text message written to the outbox (log transport)"
        );
        Ok(accepted(&sms.reference))
    }

    async fn lookup(&self, reference: &str) -> Result<Lookup, TransportError> {
        check_reference(reference)?;
        exists(self.path_for(reference), reference).await
    }
}

#[async_trait::async_trait]
impl EmailTransport for LogEmail {
    async fn send(&self, email: &OutgoingEmail) -> Result<Accepted, TransportError> {
        check_reference(&email.reference)?;
        let file = EmailFile {
            channel: "email",
            reference: &email.reference,
            to: &email.to,
            subject: &email.subject,
            body: &email.body,
            written_at: chrono::Utc::now().to_rfc3339(),
        };
        write_json(self.path_for(&email.reference), &file).await?;
        tracing::info!(
            reference = %email.reference,
            body_chars = email.body.chars().count(),
            "email written to the outbox (log transport)"
        );
        Ok(accepted(&email.reference))
    }
}

fn accepted(reference: &str) -> Accepted {
    Accepted {
        provider_id: format!("log-{reference}"),
    }
}

/// Writes the file whole or not at all (a temporary file renamed into place), creating the folder.
async fn write_json<T: Serialize>(path: PathBuf, value: &T) -> Result<(), TransportError> {
    let mut contents = serde_json::to_vec_pretty(value)
        .map_err(|e| TransportError::Unavailable(format!("cannot encode the outbox file: {e}")))?;
    contents.push(b'\n');
    tokio::task::spawn_blocking(move || write_atomically(&path, &contents))
        .await
        .map_err(|e| TransportError::Unavailable(format!("the outbox writer stopped: {e}")))?
        .map_err(|e| TransportError::Unavailable(format!("cannot write to the outbox: {e}")))
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)
}

async fn exists(path: PathBuf, reference: &str) -> Result<Lookup, TransportError> {
    let found = tokio::task::spawn_blocking(move || path.try_exists())
        .await
        .map_err(|e| TransportError::Unavailable(format!("the outbox reader stopped: {e}")))?
        .map_err(|e| TransportError::Unavailable(format!("cannot read the outbox: {e}")))?;
    Ok(if found {
        Lookup::Found {
            provider_id: format!("log-{reference}"),
            status: LOGGED_STATUS.to_owned(),
        }
    } else {
        Lookup::NotFound
    })
}
