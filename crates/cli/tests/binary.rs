//! The real `vigil` binary against a fresh database: migrate, seed, user add, serve and shut down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use vigil_persistence::repositories::{people, staff};
use vigil_persistence::testing::TestDatabase;

struct Vigil {
    database_url: String,
    workdir: tempfile::TempDir,
}

impl Vigil {
    fn new(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            workdir: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
        let mut command = Command::new(env!("CARGO_BIN_EXE_vigil"));
        command
            .args(args)
            .current_dir(self.workdir.path())
            .env("VIGIL_CONFIG_DIR", config)
            .env("VIGIL_DATABASE__URL", &self.database_url)
            .env("VIGIL_ENV", "test")
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn migrate_seed_and_user_add_work_on_a_fresh_database() {
    let test_db = TestDatabase::empty().await;
    let vigil = Vigil::new(&test_db.url);

    let status = vigil.run(&["migrate", "status"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(text(&status.stdout).contains("pending  m20261122_000001_agencies_and_staff"));

    let seed = vigil.run(&["seed", "--demo"]);
    assert!(seed.status.success(), "{}", text(&seed.stderr));
    let printed = text(&seed.stdout);
    for role in [
        "admin",
        "coordinator",
        "offender_manager",
        "police",
        "partner",
    ] {
        assert!(printed.contains(role), "{role} login printed: {printed}");
    }
    let connection = test_db.db.connection();
    assert_eq!(people::count(connection).await.unwrap(), 40);
    let staff_page = staff::list(connection, Default::default()).await.unwrap();
    assert_eq!(staff_page.total, 7);
    assert!(
        !printed.contains("$argon2"),
        "hashes are never printed, only the one-off passwords"
    );

    let again = vigil.run(&["seed", "--demo"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already has people"));

    let short = vigil.run_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "new@example.org",
            "--name",
            "New Officer",
            "--role",
            "police",
            "--agency",
            "Northgate Police",
            "--password-stdin",
        ],
        "too short\n",
    );
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("at least 12 characters"),
        "{}",
        text(&short.stderr)
    );

    let bad_role = vigil.run_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "new@example.org",
            "--name",
            "New",
            "--role",
            "sheriff",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        text(&bad_role.stderr).contains("--role"),
        "{}",
        text(&bad_role.stderr)
    );

    let added = vigil.run_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "New@Example.org",
            "--name",
            "New Officer",
            "--role",
            "police",
            "--agency",
            "Northgate Police",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let user = staff::find_by_email(connection, "new@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, "police");
    assert!(user.agency_id.is_some());
    assert_ne!(user.password_hash, "a long enough password");

    let duplicate = vigil.run_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "new@example.org",
            "--name",
            "Again",
            "--role",
            "police",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        text(&duplicate.stderr).contains("already exists"),
        "{}",
        text(&duplicate.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls until the server answers (start-up takes a moment); bounded, so a broken server fails the test.
async fn wait_until_ready(url: &str, child: &mut Child) -> reqwest::Response {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(url).send().await {
            return response;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("vigil serve exited early with {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("vigil serve never answered {url}");
}

#[tokio::test]
async fn serve_demo_answers_readyz_and_stops_on_sigterm() {
    let test_db = TestDatabase::empty().await;
    let vigil = Vigil::new(&test_db.url);
    let port = free_port();
    let mut child = vigil
        .command(&["serve", "--demo"])
        .env("VIGIL_SERVER__BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = wait_until_ready(&format!("http://127.0.0.1:{port}/readyz"), &mut child).await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        people::count(test_db.db.connection()).await.unwrap(),
        40,
        "--demo seeded first"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "graceful exit: {}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("Demo partnership loaded"));
}

#[test]
fn bad_configuration_stops_start_up_naming_the_key() {
    let vigil = Vigil::new("sqlite://unused.db?mode=rwc");
    let output = vigil
        .command(&["serve"])
        .env("VIGIL_SERVER__BIND", "not-an-address")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("server.bind"),
        "{}",
        text(&output.stderr)
    );

    let output = vigil
        .command(&["migrate", "status"])
        .env("VIGIL_DATABASE__URL", "mysql://nope")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("database.url"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn every_command_answers_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["user", "add", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(&args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("Usage"), "{args:?}");
    }
}
