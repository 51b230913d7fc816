//! The real router on 127.0.0.1:0 against a fresh database, with a manual clock, and helpers to make
//! users and sign them in.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, RequestBuilder};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_api::auth::tokens::TokenKeys;
use vigil_api::password::hash_password;
use vigil_api::{AppState, HttpSettings};
use vigil_domain::{ManualClock, WorkingCalendar};
use vigil_persistence::repositories::{agencies, referrals, staff};
use vigil_persistence::testing::TestDatabase;

pub const TEST_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub database: TestDatabase,
    pub state: AppState,
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub agency_id: Option<Uuid>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn db(&self) -> &vigil_persistence::DatabaseConnection {
        self.database.db.connection()
    }

    pub fn now(&self) -> DateTime<Utc> {
        vigil_domain::Clock::now(self.clock.as_ref())
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// A request with the user's bearer token.
    pub fn request(&self, method: Method, path: &str, user: &TestUser) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&user.token)
    }

    pub async fn get_json(&self, path: &str, user: &TestUser) -> (u16, Value) {
        let response = self.request(Method::GET, path, user).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        user: &TestUser,
        body: Value,
    ) -> (u16, Value) {
        let response = self
            .request(method, path, user)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn agency(&self, name: &str, kind: &str) -> Uuid {
        agencies::create(self.db(), name, kind, self.now())
            .await
            .unwrap()
            .id
    }

    /// Creates a user directly in the database (as `vigil user add` would) and signs them in.
    pub async fn user(&self, role: &str, agency_id: Option<Uuid>) -> TestUser {
        let email = format!("{role}-{}@example.org", Uuid::new_v4().simple());
        let created = staff::create(
            self.db(),
            staff::NewStaff {
                email: email.clone(),
                name: format!("Test {role}"),
                role: role.to_owned(),
                agency_id,
                password_hash: hash_password(TEST_PASSWORD).unwrap(),
            },
            self.now(),
        )
        .await
        .unwrap();
        let tokens = self.login(&email, TEST_PASSWORD).await;
        TestUser {
            id: created.id,
            email,
            token: tokens["access_token"].as_str().unwrap().to_owned(),
            agency_id,
        }
    }

    /// The same user with a fresh access token (after the clock has moved past the old one's expiry).
    pub async fn signed_in_again(&self, user: &TestUser) -> TestUser {
        let tokens = self.login(&user.email, TEST_PASSWORD).await;
        TestUser {
            token: tokens["access_token"].as_str().unwrap().to_owned(),
            ..user.clone()
        }
    }

    /// Signs in; panics unless it succeeds.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login of {email}");
        response.json().await.unwrap()
    }

    /// A request without any credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Refers a person to an agency directly in the database (what lets that agency's partners see them).
    pub async fn refer(&self, person_id: Uuid, agency_id: Uuid) -> Uuid {
        referrals::create(
            self.db(),
            referrals::NewReferral {
                person_id,
                pathway: "accommodation".to_owned(),
                agency_id,
                notes: None,
                created_by: None,
            },
            self.now(),
        )
        .await
        .unwrap()
        .id
    }

    /// `GET /api/v1/audit?{query}` as `admin`; panics unless it answers 200.
    pub async fn audit(&self, admin: &TestUser, query: &str) -> Value {
        let (status, body) = self
            .get_json(&format!("/api/v1/audit?{query}"), admin)
            .await;
        assert_eq!(status, 200, "audit query {query}: {body}");
        body
    }

    /// Creates a person through the API as `user`; returns its id.
    pub async fn person(&self, user: &TestUser, given: &str, family: &str) -> Uuid {
        let (status, body) = self
            .send_json(
                Method::POST,
                "/api/v1/people",
                user,
                json!({"given_name": given, "family_name": family, "date_of_birth": "1994-06-01"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().parse().unwrap()
    }
}

/// The signing secret for tests: fixed, so tokens can be made by hand where a test needs to.
pub fn test_secret() -> SecretString {
    SecretString::from("test-secret-test-secret-test-secret!".to_owned())
}

/// Spawns the app with the clock at `now`.
pub async fn spawn_app_with(now: DateTime<Utc>) -> TestApp {
    spawn_app_adjusted(now, HttpSettings::default(), |state| state).await
}

/// Spawns the app with the clock at `now`, these HTTP settings, and its state then adjusted by `adjust`
/// (e.g. webhook secrets), on a random port against a fresh database.
pub async fn spawn_app_adjusted(
    now: DateTime<Utc>,
    http: HttpSettings,
    adjust: impl FnOnce(AppState) -> AppState,
) -> TestApp {
    let database = TestDatabase::migrated().await;
    let clock = Arc::new(ManualClock::new(now));
    let state = adjust(AppState::new(
        database.db.clone(),
        clock.clone(),
        chrono_tz::Europe::London,
        WorkingCalendar::england_and_wales(),
        TokenKeys::new(&test_secret(), Duration::minutes(15), Duration::days(14)),
        http,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a random port");
    let address = listener.local_addr().expect("local address");
    let service =
        vigil_api::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, service).await.expect("server runs");
    });
    TestApp {
        address,
        client: reqwest::Client::new(),
        clock,
        database,
        state,
    }
}

/// Spawns the app with the clock at [`crate::monday_morning`].
pub async fn spawn_app() -> TestApp {
    spawn_app_with(crate::monday_morning()).await
}

/// Casework helpers (appointments, cohort membership, allocations).
impl TestApp {
    /// Creates a person through the API as `user` with `extra` fields (e.g. `{"email": .., "tier": "A"}`)
    /// merged into the body; returns its id.
    pub async fn person_with(
        &self,
        user: &TestUser,
        given: &str,
        family: &str,
        extra: Value,
    ) -> Uuid {
        let mut body =
            json!({"given_name": given, "family_name": family, "date_of_birth": "1994-06-01"});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                body.insert(key.clone(), value.clone());
            }
        }
        let (status, body) = self
            .send_json(Method::POST, "/api/v1/people", user, body)
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().parse().unwrap()
    }

    /// Proposes the person for `strand` and adopts them, as `coordinator`; panics unless both answer 201.
    pub async fn adopt(
        &self,
        coordinator: &TestUser,
        person_id: Uuid,
        strand: &str,
        police_lead: Uuid,
        probation_lead: Uuid,
    ) {
        let path = format!("/api/v1/people/{person_id}/membership");
        let (status, body) = self
            .send_json(
                Method::POST,
                &path,
                coordinator,
                json!({"action": "propose", "strand": strand}),
            )
            .await;
        assert_eq!(status, 201, "propose: {body}");
        let (status, body) = self
            .send_json(
                Method::POST,
                &path,
                coordinator,
                json!({"action": "adopt", "police_lead_id": police_lead, "probation_lead_id": probation_lead}),
            )
            .await;
        assert_eq!(status, 201, "adopt: {body}");
    }

    /// Allocates the person to `staff_id` in `role`, as `coordinator`; panics unless it answers 201.
    pub async fn allocate(
        &self,
        coordinator: &TestUser,
        person_id: Uuid,
        staff_id: Uuid,
        role: &str,
    ) {
        let (status, body) = self
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person_id}/allocations"),
                coordinator,
                json!({"staff_id": staff_id, "role": role}),
            )
            .await;
        assert_eq!(status, 201, "allocate: {body}");
    }

    /// `POST /people/{id}/appointments` as `user`; panics unless it answers 201. Returns the body.
    pub async fn book(&self, user: &TestUser, person_id: Uuid, body: Value) -> Value {
        let (status, answer) = self
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person_id}/appointments"),
                user,
                body,
            )
            .await;
        assert_eq!(status, 201, "book: {answer}");
        answer
    }
}

/// Spawns the app with the clock at `now` and the provider callbacks' secrets set.
pub async fn spawn_app_with_webhooks(
    now: DateTime<Utc>,
    webhooks: vigil_api::WebhookSettings,
) -> TestApp {
    spawn_app_adjusted(now, HttpSettings::default(), |state| {
        state.with_webhooks(webhooks)
    })
    .await
}

/// Scheduler helpers: a worker on the app's database and clock, and the rows it works on.
impl TestApp {
    /// A worker with every Vigil handler, the shipped rules, London time and `config` (cron entries, lease).
    pub fn worker_with(
        &self,
        worker_id: &str,
        sms: Arc<dyn vigil_scheduler::transport::SmsTransport>,
        email: Arc<dyn vigil_scheduler::transport::EmailTransport>,
        config: &vigil_scheduler::SchedulerConfig,
    ) -> vigil_scheduler::Worker {
        vigil_scheduler::vigil_worker(
            self.db().clone(),
            self.clock.clone(),
            worker_id,
            config,
            vigil_scheduler::WorkerParts {
                sms,
                email,
                time_zone: chrono_tz::Europe::London,
                calendar: WorkingCalendar::england_and_wales(),
                reminders: vigil_domain::ReminderPolicy::default(),
                contact_standards: vigil_domain::default_contact_standards(),
                visit_cadences: vigil_domain::default_visit_cadences(),
            },
        )
        .expect("a valid scheduler configuration")
    }

    /// [`TestApp::worker_with`] with id `worker-1`, `sms`, an email transport that only records, and the
    /// default configuration: for tests about texts.
    pub fn sms_worker(
        &self,
        sms: Arc<dyn vigil_scheduler::transport::SmsTransport>,
    ) -> vigil_scheduler::Worker {
        self.worker_with(
            "worker-1",
            sms,
            Arc::new(RecordingEmail::default()),
            &vigil_scheduler::SchedulerConfig::default(),
        )
    }

    /// Moves the clock to `at` (forwards or backwards).
    pub fn set_clock(&self, at: DateTime<Utc>) {
        let now = self.now();
        self.clock.advance(at - now);
    }

    /// Every notification of the person, earliest send time first, then by channel.
    pub async fn notifications_of(
        &self,
        person_id: Uuid,
    ) -> Vec<vigil_persistence::entities::notification::Model> {
        let mut all =
            vigil_persistence::repositories::notifications::for_person(self.db(), person_id)
                .await
                .unwrap();
        all.sort_by(|a, b| (a.send_at, &a.channel).cmp(&(b.send_at, &b.channel)));
        all
    }

    /// One notification, as stored now.
    pub async fn notification(&self, id: Uuid) -> vigil_persistence::entities::notification::Model {
        vigil_persistence::repositories::notifications::find(self.db(), id)
            .await
            .unwrap()
            .expect("the notification exists")
    }

    /// The send job of a notification, as stored now.
    pub async fn send_job_of(
        &self,
        notification_id: Uuid,
    ) -> vigil_persistence::entities::job::Model {
        let jobs = vigil_persistence::repositories::jobs::of_kind(
            self.db(),
            vigil_persistence::repositories::notifications::SEND_JOB_KIND,
        )
        .await
        .unwrap();
        let mut matching: Vec<_> = jobs
            .into_iter()
            .filter(|job| job.payload["notification_id"] == json!(notification_id))
            .collect();
        assert_eq!(matching.len(), 1, "one send job for {notification_id}");
        matching.remove(0)
    }
}

/// The GOV.UK Notify test key's parts: service id and secret (the JWT is signed with the secret).
pub const NOTIFY_SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const NOTIFY_SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
pub const NOTIFY_TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";

/// A Notify transport pointed at a fake (e.g. a wiremock server's URI).
pub fn notify_sms(base_url: &str) -> Arc<dyn vigil_scheduler::transport::SmsTransport> {
    Arc::new(
        vigil_scheduler::transport::NotifySms::new(
            base_url,
            SecretString::from(format!("vigil-e2e-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}")),
            NOTIFY_TEMPLATE_ID.to_owned(),
            std::time::Duration::from_secs(5),
        )
        .expect("a valid Notify configuration"),
    )
}

type TransportFuture<'a, T> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<T, vigil_scheduler::transport::TransportError>>
            + Send
            + 'a,
    >,
>;

/// An email transport that keeps what it is given (for tests where email is not the point).
#[derive(Debug, Default)]
pub struct RecordingEmail {
    pub sent: std::sync::Mutex<Vec<vigil_scheduler::transport::OutgoingEmail>>,
}

impl RecordingEmail {
    pub fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

impl vigil_scheduler::transport::EmailTransport for RecordingEmail {
    fn send<'life0, 'life1, 'async_trait>(
        &'life0 self,
        email: &'life1 vigil_scheduler::transport::OutgoingEmail,
    ) -> TransportFuture<'async_trait, vigil_scheduler::transport::Accepted>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            self.sent.lock().unwrap().push(email.clone());
            Ok(vigil_scheduler::transport::Accepted {
                provider_id: format!("email-{}", email.reference),
            })
        })
    }
}

/// An SMS transport that passes the send to `inner` and then never returns, as a worker that died
/// between the provider's answer and recording it: `sent` is notified once the provider has answered.
#[derive(Debug)]
pub struct DiesAfterSending {
    pub inner: Arc<dyn vigil_scheduler::transport::SmsTransport>,
    pub sent: Arc<tokio::sync::Notify>,
}

impl vigil_scheduler::transport::SmsTransport for DiesAfterSending {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn send<'life0, 'life1, 'async_trait>(
        &'life0 self,
        sms: &'life1 vigil_scheduler::transport::OutgoingSms,
    ) -> TransportFuture<'async_trait, vigil_scheduler::transport::Accepted>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let _answer = self.inner.send(sms).await;
            self.sent.notify_one();
            std::future::pending().await
        })
    }

    fn lookup<'life0, 'life1, 'async_trait>(
        &'life0 self,
        reference: &'life1 str,
    ) -> TransportFuture<'async_trait, vigil_scheduler::transport::Lookup>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move { self.inner.lookup(reference).await })
    }

    fn supports_lookup(&self) -> bool {
        self.inner.supports_lookup()
    }
}

/// An SMS transport whose sends wait at a gate, as a provider slow to answer: `arrived` is notified when a
/// send comes in, and the send answers `answer` once `release` is notified. For tests of what happens to a
/// message while its send is under way.
#[derive(Debug)]
pub struct GatedSms {
    pub answer:
        Result<vigil_scheduler::transport::Accepted, vigil_scheduler::transport::TransportError>,
    pub arrived: Arc<tokio::sync::Notify>,
    pub release: Arc<tokio::sync::Notify>,
}

#[async_trait::async_trait]
impl vigil_scheduler::transport::SmsTransport for GatedSms {
    fn name(&self) -> &'static str {
        "gated"
    }

    async fn send(
        &self,
        _sms: &vigil_scheduler::transport::OutgoingSms,
    ) -> Result<vigil_scheduler::transport::Accepted, vigil_scheduler::transport::TransportError>
    {
        self.arrived.notify_one();
        self.release.notified().await;
        self.answer.clone()
    }

    async fn lookup(
        &self,
        _reference: &str,
    ) -> Result<vigil_scheduler::transport::Lookup, vigil_scheduler::transport::TransportError>
    {
        Ok(vigil_scheduler::transport::Lookup::NotFound)
    }

    fn supports_lookup(&self) -> bool {
        true
    }
}
