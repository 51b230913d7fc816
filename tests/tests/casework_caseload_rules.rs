#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The caseload worklist end to end under the rules as configured: a first contact made before the stored
//! contact history, and a partnership's own contact standards and enforcement lengths.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::{at, instant};
use vigil_e2e::caseload::{adopted_member, caseload, work};
use vigil_e2e::{TestApp, TestUser, spawn_app_with};

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    /// A first contact made long ago still counts as made, however long since the person was last seen that way.
    mod long_ago {
        use super::*;

        /// Logs a completed contact of `kind` at `occurred_at`.
        async fn log(app: &TestApp, om: &TestUser, person: Uuid, occurred_at: &str, kind: &str) {
            let (status, answer) = app
                .send_json(
                    Method::POST,
                    &format!("/api/v1/people/{person}/contacts"),
                    om,
                    json!({"type": kind, "occurred_at": occurred_at, "status": "completed",
                           "outcome": "attended_complied"}),
                )
                .await;
            assert_eq!(status, 201, "{answer}");
        }

        #[tokio::test]
        async fn a_first_contact_older_than_the_lookback_is_still_met() {
            // Thursday 22 October 2026: adopted (tier A), and seen in the office the same day.
            let app = spawn_app_with(at("2026-10-22T10:00:00Z")).await;
            let coordinator = app.user("coordinator", None).await;
            let om = app.user("offender_manager", None).await;
            let police = app.user("police", None).await;
            let person = adopted_member(&app, &coordinator, &om, &police, "Reid").await;
            log(
                &app,
                &om,
                person,
                "2026-10-22T10:00:00Z",
                "face_to_face_office",
            )
            .await;

            // Seven months on (Tuesday 25 May 2027), only telephone calls since: the office visit has left the
            // stored lookback of 190 days.
            app.clock.set(at("2027-05-25T09:00:00Z"));
            let om = app.signed_in_again(&om).await;
            log(&app, &om, person, "2027-05-25T08:30:00Z", "telephone").await;

            let list = caseload(&app, &om, "/api/v1/caseload").await;
            let item = &list["items"][0];
            let all: Vec<(String, DateTime<Utc>, Value)> =
                [work(&item["overdue"]), work(&item["due"])].concat();
            // Not "first face-to-face contact due by 26 October 2026", as if never seen.
            assert!(
                all.iter()
                    .all(|(_, due_by, _)| *due_by > at("2027-01-01T00:00:00Z")),
                "{item}"
            );
            // The weekly face-to-face periods from adoption (Thursdays): the one that ended on Wednesday 19 May
            // was missed, and the current one is due by the end of Wednesday 26 May (BST).
            let weekly: Vec<DateTime<Utc>> = item["overdue"]
                .as_array()
                .unwrap()
                .iter()
                .chain(item["due"].as_array().unwrap())
                .filter(|w| w["description"].as_str().unwrap().contains("face_to_face"))
                .map(|w| instant(&w["due_by"]))
                .collect();
            assert_eq!(
                weekly,
                [at("2027-05-19T22:59:59Z"), at("2027-05-26T22:59:59Z")],
                "{item}"
            );
            assert_eq!(instant(&item["last_contact"]), at("2027-05-25T08:30:00Z"));
        }
    }

    /// The partnership's own rules (`[[contact_standards]]`, `[enforcement]` in config) are the ones applied.
    mod configured_rules {
        use super::*;
        use vigil_domain::{
            ContactStandard, EnforcementPolicy, Period, StandardKind, Strand, Tier,
        };

        #[tokio::test]
        async fn the_worklist_and_enforcement_follow_the_partnerships_own_rules() {
            // Thursday 22 October 2026, as in the shipped-rules test above, to compare.
            let own_standard = ContactStandard {
                code: "local.catch_convict.A.weekly_home".to_owned(),
                version: 2,
                strand: Strand::CatchConvict,
                tier: Tier::A,
                kind: StandardKind::HomeVisit,
                count: 1,
                every: Period::Days(7),
                first_within: Some(Period::WorkingDays(1)),
            };
            let rules = vigil_api::CaseworkRules {
                contact_standards: vec![own_standard],
                enforcement: EnforcementPolicy {
                    warning_within_working_days: 2,
                    ..EnforcementPolicy::default()
                },
                ..vigil_api::CaseworkRules::defaults()
            };
            let app = vigil_e2e::spawn_app_adjusted(
                at("2026-10-22T10:00:00Z"),
                vigil_api::HttpSettings::default(),
                |state| state.with_rules(rules),
            )
            .await;
            let coordinator = app.user("coordinator", None).await;
            let om = app.user("offender_manager", None).await;
            let police = app.user("police", None).await;
            let person = adopted_member(&app, &coordinator, &om, &police, "Reid").await;

            // One item only, the configured one: a home visit within 1 working day (end of Friday 23, BST).
            let list = caseload(&app, &om, "/api/v1/caseload").await;
            let item = &list["items"][0];
            assert_eq!(
                work(&item["due"]),
                [(
                    "contact_standard".to_owned(),
                    at("2026-10-23T22:59:59Z"),
                    Value::Null
                )]
            );
            let description = item["due"][0]["description"].as_str().unwrap();
            assert!(
                description.contains("local.catch_convict.A.weekly_home"),
                "{description}"
            );

            // A missed office visit: the warning is due in 2 working days (Monday 26, GMT), not 5.
            let recorded = app
                .book(
                    &om,
                    person,
                    json!({"type": "office_visit", "starts_at": "2026-10-22T08:00:00Z",
                           "duration_minutes": 30, "outcome": "unacceptable_absence"}),
                )
                .await;
            let step = &recorded["recorded"]["enforcement"];
            assert_eq!(step["action"], "warning", "{recorded}");
            assert_eq!(instant(&step["due_by"]), at("2026-10-26T23:59:59Z"));
        }
    }
}
