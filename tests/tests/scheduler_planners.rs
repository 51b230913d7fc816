#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The scheduler's planners end to end: a release recorded through the API is planned by a worker (first
//! appointment, home visit, accommodation referral), and the home-visit cron plans cadence visits.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Europe::London;
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::app::RecordingEmail;
use vigil_e2e::{TestApp, TestUser, spawn_app, spawn_app_with};
use vigil_persistence::entities::home_visit;
use vigil_persistence::repositories::home_visits::{self, NewHomeVisit};
use vigil_persistence::repositories::jobs;
use vigil_scheduler::transport::LogSms;
use vigil_scheduler::{CronEntry, SchedulerConfig, Worker};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A worker with the home-visit planner at 06:00 every day; texts go to a log outbox.
fn worker(app: &TestApp, outbox: &tempfile::TempDir) -> Worker {
    let config = SchedulerConfig {
        cron: vec![CronEntry {
            name: "plan_home_visits".to_owned(),
            expression: "0 6 * * *".to_owned(),
        }],
        ..SchedulerConfig::default()
    };
    app.worker_with(
        "worker-1",
        Arc::new(LogSms::new(outbox.path().to_path_buf())),
        Arc::new(RecordingEmail::default()),
        &config,
    )
}

struct Team {
    coordinator: TestUser,
    om: TestUser,
    police: TestUser,
    housing: Uuid,
}

async fn team(app: &TestApp) -> Team {
    let housing = app.agency("Town Housing Options", "housing").await;
    Team {
        coordinator: app.user("coordinator", None).await,
        om: app.user("offender_manager", None).await,
        police: app.user("police", None).await,
        housing,
    }
}

/// A person allocated to the team's offender manager and police SPOC.
async fn allocated_person(app: &TestApp, team: &Team, extra: Value) -> Uuid {
    let person = app.person_with(&team.om, "Jay", "Price", extra).await;
    app.allocate(&team.coordinator, person, team.om.id, "offender_manager")
        .await;
    app.allocate(&team.coordinator, person, team.police.id, "police_spoc")
        .await;
    person
}

async fn record_release(app: &TestApp, team: &Team, person: Uuid, released_at: &str) {
    let coordinator = app.signed_in_again(&team.coordinator).await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{person}/custody"),
            &coordinator,
            json!({"received_at": "2026-05-01T09:00:00Z", "released_at": released_at}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

async fn appointments_of(app: &TestApp, team: &Team, person: Uuid) -> Vec<Value> {
    let om = app.signed_in_again(&team.om).await;
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn visits_of(app: &TestApp, person: Uuid) -> Vec<home_visit::Model> {
    home_visits::for_people_since(app.db(), &[person], at("2000-01-01T00:00:00Z"))
        .await
        .unwrap()
}

async fn accommodation_referrals(app: &TestApp, team: &Team, person: Uuid) -> Vec<Value> {
    let coordinator = app.signed_in_again(&team.coordinator).await;
    let (status, body) = app.get_json("/api/v1/referrals", &coordinator).await;
    assert_eq!(status, 200, "{body}");
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .or_else(|| body.as_array())
        .unwrap()
        .clone();
    items
        .into_iter()
        .filter(|r| r["person_id"] == json!(person) && r["pathway"] == "accommodation")
        .collect()
}

/// Records a release at `released_at` with the clock there, runs the worker, and returns the planned
/// first appointment's start.
async fn release_and_plan(
    app: &TestApp,
    team: &Team,
    person: Uuid,
    released_at: &str,
) -> DateTime<Utc> {
    let outbox = tempfile::tempdir().unwrap();
    let worker = worker(app, &outbox);
    app.set_clock(at(released_at));
    record_release(app, team, person, released_at).await;
    worker.run_once().await.unwrap();
    let planned = jobs::of_kind(app.db(), "plan_release").await.unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].state, "succeeded", "{planned:?}");
    let initial: Vec<Value> = appointments_of(app, team, person)
        .await
        .into_iter()
        .filter(|a| a["type"] == "initial_appointment")
        .collect();
    assert_eq!(initial.len(), 1, "{initial:?}");
    assert_eq!(initial[0]["status"], "booked");
    assert_eq!(initial[0]["staff_id"], json!(team.om.id));
    initial[0]["starts_at"].as_str().unwrap().parse().unwrap()
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn a_friday_release_plans_monday_s_appointment_a_visit_and_a_housing_referral() {
        let app = spawn_app_with(at("2026-11-27T07:00:00Z")).await; // Friday
        let team = team(&app).await;
        let person = allocated_person(
            &app,
            &team,
            json!({"mobile": "07700 900123", "sms_consent": true}),
        )
        .await;

        let starts_at = release_and_plan(&app, &team, person, "2026-11-27T08:30:00Z").await;
        assert_eq!(starts_at, at("2026-11-30T10:00:00Z"), "Monday 10:00 GMT");

        // Its reminders are planned like any other appointment's.
        let reminders = app.notifications_of(person).await;
        assert!(!reminders.is_empty());
        assert!(reminders.iter().all(|n| n.status == "pending"));

        let visits = visits_of(&app, person).await;
        assert_eq!(visits.len(), 1, "{visits:?}");
        let visit = &visits[0];
        assert_eq!(visit.assigned_to, Some(team.police.id));
        assert_eq!(visit.status, "planned");
        assert!(visit.window_start >= at("2026-11-27T08:30:00Z"));
        assert!(
            visit.window_end <= at("2026-11-30T08:30:00Z"),
            "within 3 days"
        );

        let referrals = accommodation_referrals(&app, &team, person).await;
        assert_eq!(referrals.len(), 1, "{referrals:?}");
        assert_eq!(referrals[0]["agency_id"], json!(team.housing));
        assert_eq!(referrals[0]["status"], "referred");

        // The job is done: running the worker again plans nothing more.
        app.advance(Duration::hours(1));
        worker(&app, &tempfile::tempdir().unwrap())
            .run_once()
            .await
            .unwrap();
        assert_eq!(visits_of(&app, person).await.len(), 1);
        assert_eq!(accommodation_referrals(&app, &team, person).await.len(), 1);
    }

    #[tokio::test]
    async fn a_release_before_a_bank_holiday_weekend_plans_for_the_tuesday() {
        // Friday 28 August 2026; Monday 31 August is the summer bank holiday.
        let app = spawn_app_with(at("2026-08-28T07:00:00Z")).await;
        let team = team(&app).await;
        let person = allocated_person(&app, &team, json!({})).await;
        let starts_at = release_and_plan(&app, &team, person, "2026-08-28T11:00:00Z").await;
        assert_eq!(
            starts_at,
            at("2026-09-01T09:00:00Z"),
            "Tuesday 1 September, 10:00 BST"
        );
    }

    #[tokio::test]
    async fn a_release_on_a_weekday_plans_for_the_next_working_day() {
        let app = spawn_app().await; // Monday 23 November 2026
        let team = team(&app).await;
        let person = allocated_person(&app, &team, json!({})).await;
        let starts_at = release_and_plan(&app, &team, person, "2026-11-23T09:00:00Z").await;
        assert_eq!(starts_at, at("2026-11-24T10:00:00Z"));
    }

    #[tokio::test]
    async fn no_second_accommodation_referral_while_one_is_open() {
        let app = spawn_app_with(at("2026-11-24T08:00:00Z")).await;
        let team = team(&app).await;
        let person = allocated_person(&app, &team, json!({})).await;
        let (status, body) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/referrals"),
                &team.om,
                json!({"pathway": "accommodation", "agency_id": team.housing,
                       "notes": "Referred before release"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        release_and_plan(&app, &team, person, "2026-11-24T09:00:00Z").await;
        let referrals = accommodation_referrals(&app, &team, person).await;
        assert_eq!(referrals.len(), 1, "{referrals:?}");
        assert_eq!(referrals[0]["notes"], "Referred before release");
    }

    fn local_weekday_and_hour(at: DateTime<Utc>) -> (Weekday, u32, NaiveDate) {
        let local = at.with_timezone(&London);
        (local.weekday(), local.hour(), local.date_naive())
    }

    #[tokio::test]
    async fn the_home_visit_cron_plans_one_unannounced_visit_inside_the_window() {
        let app = spawn_app().await; // Monday 23 November 2026, 09:00; the 06:00 tick is due
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &outbox);
        let team = team(&app).await;
        let person = allocated_person(&app, &team, json!({"tier": "A"})).await;
        app.adopt(
            &team.coordinator,
            person,
            "catch_convict",
            team.police.id,
            team.om.id,
        )
        .await;
        // Allocated to the police but never adopted: no cadence applies.
        let proposed_only = allocated_person(&app, &team, json!({"tier": "A"})).await;

        worker.run_once().await.unwrap();
        let ticks = jobs::of_kind(app.db(), "cron:plan_home_visits")
            .await
            .unwrap();
        assert_eq!(ticks.len(), 1);
        assert_eq!(ticks[0].run_at, at("2026-11-23T06:00:00Z"));
        assert_eq!(ticks[0].state, "succeeded");

        let visits = visits_of(&app, person).await;
        assert_eq!(visits.len(), 1, "{visits:?}");
        let visit = &visits[0];
        assert_eq!(visit.assigned_to, Some(team.police.id));
        assert!(!visit.announced, "Catch & Convict visits are unannounced");
        assert_eq!(visit.status, "planned");
        // From tomorrow, within half the 14-day cadence.
        let (_, hour, day) = local_weekday_and_hour(visit.window_start);
        assert!(
            day >= date("2026-11-24") && day <= date("2026-12-01"),
            "{day}"
        );
        assert!([7, 10, 16].contains(&hour), "a band start, {hour}");
        assert_eq!(
            local_weekday_and_hour(visit.window_end).2,
            day,
            "one band on one day"
        );
        assert!(visits_of(&app, proposed_only).await.is_empty());

        // The next day's run plans no second visit while this one is pending.
        app.advance(Duration::days(1));
        worker.run_once().await.unwrap();
        assert_eq!(
            jobs::of_kind(app.db(), "cron:plan_home_visits")
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(visits_of(&app, person).await.len(), 1);
    }

    #[tokio::test]
    async fn the_next_visit_avoids_the_last_visit_s_weekday_and_time_band() {
        let app = spawn_app().await;
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &outbox);
        let team = team(&app).await;
        let person = allocated_person(&app, &team, json!({"tier": "A"})).await;
        app.adopt(
            &team.coordinator,
            person,
            "catch_convict",
            team.police.id,
            team.om.id,
        )
        .await;
        // The last visit: Monday 9 November, daytime (10:00-16:00), completed; 14 days ago.
        let last = home_visits::create(
            app.db(),
            NewHomeVisit {
                person_id: person,
                window_start: at("2026-11-09T10:00:00Z"),
                window_end: at("2026-11-09T16:00:00Z"),
                address: None,
                assigned_to: Some(team.police.id),
                assigned_team_id: None,
                announced: false,
                follow_up_of: None,
                created_by: None,
            },
            at("2026-11-02T09:00:00Z"),
        )
        .await
        .unwrap();
        home_visits::record_outcome(app.db(), last.id, "completed", at("2026-11-09T12:00:00Z"))
            .await
            .unwrap();

        // The choice is random: plan it many times (removing each plan) and check every one.
        for round in 0..12 {
            worker.run_once().await.unwrap();
            let planned: Vec<home_visit::Model> = visits_of(&app, person)
                .await
                .into_iter()
                .filter(|v| v.status == "planned")
                .collect();
            assert_eq!(planned.len(), 1, "round {round}: {planned:?}");
            let (weekday, hour, day) = local_weekday_and_hour(planned[0].window_start);
            assert_ne!(weekday, Weekday::Mon, "round {round}: {day}");
            assert_ne!(hour, 10, "round {round}: not the daytime band again");
            assert!([7, 16].contains(&hour), "round {round}: {hour}");
            let today = app.now().with_timezone(&London).date_naive();
            assert!(day > today && day <= today + Duration::days(8), "{day}");
            home_visit::Entity::delete_by_id(planned[0].id)
                .exec(app.db())
                .await
                .unwrap();
            app.advance(Duration::days(1));
        }
    }
}
