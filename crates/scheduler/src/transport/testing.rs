//! A real SMTP server on loopback for tests: enough of RFC 5321 for lettre (greeting, EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping every message it accepts. Replies to MAIL, RCPT and
//! DATA can be scripted to test refusals. Compiled for this crate's tests and, with the
//! `test-support` feature, for other crates' end-to-end tests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// What the server answers to the commands that decide a message's fate. Each is a whole reply line
/// without the CRLF, such as `"550 5.1.1 No such user"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReplies {
    pub mail: String,
    pub rcpt: String,
    /// The reply after the message's final `.`; the message is kept only if it starts with `2`. Empty:
    /// the server hangs up without a reply, as one that fails after taking the message might.
    pub data: String,
}

impl Default for SmtpReplies {
    fn default() -> Self {
        Self {
            mail: "250 2.1.0 OK".to_owned(),
            rcpt: "250 2.1.5 OK".to_owned(),
            data: "250 2.0.0 OK: queued".to_owned(),
        }
    }
}

impl SmtpReplies {
    pub fn rcpt(mut self, reply: &str) -> Self {
        reply.clone_into(&mut self.rcpt);
        self
    }

    pub fn mail(mut self, reply: &str) -> Self {
        reply.clone_into(&mut self.mail);
        self
    }

    pub fn data(mut self, reply: &str) -> Self {
        reply.clone_into(&mut self.data);
        self
    }
}

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedEmail {
    /// The envelope sender, without angle brackets.
    pub mail_from: String,
    /// The envelope recipients, without angle brackets.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA (headers, blank line, body), dot-stuffing undone, CRLF line ends.
    pub data: String,
}

impl ReceivedEmail {
    /// The first header of that name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(current) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    current.push(' ');
                    current.push_str(line.trim());
                    continue;
                }
                break;
            }
            if let Some((field, rest)) = line.split_once(':')
                && field.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim().to_owned());
            }
        }
        value
    }

    /// Everything after the headers, as sent (still transfer-encoded if the sender encoded it).
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body)
    }
}

#[derive(Debug, Default)]
struct Shared {
    received: Mutex<Vec<ReceivedEmail>>,
    arrived: Notify,
}

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct TestSmtpServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl TestSmtpServer {
    /// Starts a server that accepts everything, on `127.0.0.1` and a free port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(SmtpReplies::default()).await
    }

    pub async fn start_with(replies: SmtpReplies) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept_loop(listener, replies, Arc::clone(&shared)));
        Ok(Self {
            address,
            shared,
            task,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The URL to give [`crate::transport::SmtpEmail::from_url`] (plain SMTP, no credentials).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port())
    }

    /// The messages accepted so far.
    pub fn received(&self) -> Vec<ReceivedEmail> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until at least `count` messages have arrived or `timeout` passes; returns what arrived.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedEmail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.received();
            }
        }
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, replies: SmtpReplies, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let replies = replies.clone();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // A client that hangs up mid-conversation is its own business.
            let _ = converse(stream, &replies, &shared).await;
        });
    }
}

async fn converse(
    stream: TcpStream,
    replies: &SmtpReplies,
    shared: &Shared,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut reply = async |text: &str| writer.write_all(format!("{text}\r\n").as_bytes()).await;
    reply("220 vigil-test ESMTP ready").await?;

    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => reply("250-vigil-test\r\n250-8BITMIME\r\n250 SMTPUTF8").await?,
            "HELO" => reply("250 vigil-test").await?,
            "MAIL" => {
                if replies.mail.starts_with('2') {
                    mail_from = Some(angle_address(command));
                    rcpt_to.clear();
                }
                reply(&replies.mail).await?;
            }
            "RCPT" if mail_from.is_none() => reply("503 5.5.1 MAIL first").await?,
            "RCPT" => {
                if replies.rcpt.starts_with('2') {
                    rcpt_to.push(angle_address(command));
                }
                reply(&replies.rcpt).await?;
            }
            "DATA" if rcpt_to.is_empty() => reply("503 5.5.1 RCPT first").await?,
            "DATA" => {
                reply("354 End data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(&mut reader).await?;
                if replies.data.starts_with('2') {
                    let email = ReceivedEmail {
                        mail_from: mail_from.take().unwrap_or_default(),
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data,
                    };
                    shared
                        .received
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(email);
                    shared.arrived.notify_waiters();
                }
                mail_from = None;
                rcpt_to.clear();
                if replies.data.is_empty() {
                    return Ok(());
                }
                reply(&replies.data).await?;
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                reply("250 2.0.0 OK").await?;
            }
            "NOOP" => reply("250 2.0.0 OK").await?,
            "QUIT" => {
                reply("221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => reply("502 5.5.2 Command not recognised").await?,
        }
    }
}

/// Reads the message up to the line holding a single `.`, undoing dot-stuffing.
async fn read_data<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == ".\r\n" || line == ".\n" {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

/// `MAIL FROM:<a@b> BODY=8BITMIME` → `a@b`.
fn angle_address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or_else(String::new, |(address, _)| address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_case_insensitively_and_unfolded() {
        let email = ReceivedEmail {
            mail_from: String::new(),
            rcpt_to: Vec::new(),
            data: "Subject: a long\r\n subject\r\nX-Vigil-Reference: r1\r\n\r\nbody\r\n".to_owned(),
        };
        assert_eq!(email.header("subject").as_deref(), Some("a long subject"));
        assert_eq!(email.header("X-VIGIL-REFERENCE").as_deref(), Some("r1"));
        assert_eq!(email.header("To"), None);
        assert_eq!(email.body(), "body\r\n");
    }

    #[test]
    fn envelope_addresses_lose_their_brackets_and_parameters() {
        assert_eq!(
            angle_address("MAIL FROM:<a@b.example> BODY=8BITMIME"),
            "a@b.example"
        );
        assert_eq!(angle_address("RCPT TO:<c@d.example>"), "c@d.example");
    }
}
