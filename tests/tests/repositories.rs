//! Repositories against a real database (SQLite by default, PostgreSQL with VIGIL_TEST_DATABASE_URL).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use vigil_domain::PeopleSearch;
use vigil_e2e::{TestDatabase, monday_morning};
use vigil_persistence::repositories::audit::{AuditEntry, AuditFilter};
use vigil_persistence::repositories::people::{NewPerson, PeopleFilter};
use vigil_persistence::repositories::{
    PageRequest, agencies, allocations, audit, contacts, memberships, people, referrals, staff,
};
use vigil_persistence::{PersistenceError, TransactionTrait};

fn person(given: &str, family: &str, pnc: &str) -> NewPerson {
    NewPerson {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        date_of_birth: NaiveDate::from_ymd_opt(1995, 5, 17).unwrap(),
        pnc_id: Some(pnc.to_owned()),
        language: "en".to_owned(),
        sms_consent: true,
        ..Default::default()
    }
}

async fn officer(db: &TestDatabase, email: &str) -> uuid::Uuid {
    staff::create(
        db.db.connection(),
        staff::NewStaff {
            email: email.to_owned(),
            name: "Officer".to_owned(),
            role: "offender_manager".to_owned(),
            agency_id: None,
            password_hash: "x".to_owned(),
        },
        monday_morning(),
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn people_are_searched_by_name_pnc_strand_status_and_allocation_with_pagination() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    let bob = people::create(db, person("Bob", "Walkden", "2002/0000002A"), now)
        .await
        .unwrap();
    let cat = people::create(db, person("Cat", "Price", "2003/0000003Y"), now)
        .await
        .unwrap();
    let step = |strand: &str| memberships::MembershipStep {
        action: "propose".to_owned(),
        status: "proposed".to_owned(),
        strand: strand.to_owned(),
        ..Default::default()
    };
    memberships::record(db, ann.id, step("catch_convict"), now)
        .await
        .unwrap();
    memberships::record(db, bob.id, step("prevent_deter"), now)
        .await
        .unwrap();
    let om = officer(&test_db, "om@example.org").await;
    allocations::allocate(db, cat.id, om, "offender_manager", None, now)
        .await
        .unwrap();

    let search = |filter: PeopleFilter| async move {
        people::search(db, &filter, PageRequest::default())
            .await
            .unwrap()
    };
    let by_name = search(PeopleFilter {
        q: PeopleSearch::parse("WALK").unwrap(),
        ..Default::default()
    })
    .await;
    assert_eq!(
        (by_name.total, by_name.total_capped),
        (2, false),
        "case-insensitive family name prefix"
    );
    assert_eq!(by_name.items[0].given_name, "Bob", "ordered by family name");
    let by_pnc = search(PeopleFilter {
        q: PeopleSearch::parse("03/3y").unwrap(),
        ..Default::default()
    })
    .await;
    assert_eq!(
        by_pnc.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![cat.id]
    );
    let by_strand = search(PeopleFilter {
        strand: Some("catch_convict".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        by_strand.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ann.id]
    );
    let by_status = search(PeopleFilter {
        status: Some("proposed".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(by_status.total, 2);
    let by_officer = search(PeopleFilter {
        allocated_to: Some(om),
        ..Default::default()
    })
    .await;
    assert_eq!(
        by_officer.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![cat.id]
    );

    let second_page = people::search(
        db,
        &PeopleFilter::default(),
        PageRequest::new(Some(2), Some(2)),
    )
    .await
    .unwrap();
    assert_eq!((second_page.total, second_page.items.len()), (3, 1));
}

#[tokio::test]
async fn a_duplicate_pnc_id_is_a_conflict_and_a_stale_version_is_refused() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    let duplicate = people::create(db, person("Other", "Person", "2001/0000001Z"), now).await;
    assert!(
        matches!(duplicate, Err(PersistenceError::Conflict(_))),
        "{duplicate:?}"
    );

    let updated = people::update_versioned(db, ann.id, Some(1), now, |model| {
        model.family_name = sea_orm::Set("Walker-Jones".to_owned());
    })
    .await
    .unwrap();
    assert_eq!(
        (updated.version, updated.family_name.as_str()),
        (2, "Walker-Jones")
    );
    let stale = people::update_versioned(db, ann.id, Some(1), now, |model| {
        model.family_name = sea_orm::Set("Lost Update".to_owned());
    })
    .await;
    assert!(
        matches!(stale, Err(PersistenceError::Conflict(_))),
        "{stale:?}"
    );
    assert_eq!(
        people::find(db, ann.id).await.unwrap().unwrap().family_name,
        "Walker-Jones"
    );
}

/// Two corrections of the same contact (sent at once, both past the API's check): the second is a
/// conflict, not a second "latest version".
#[tokio::test]
async fn a_contact_is_corrected_at_most_once() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000002Z"), now)
        .await
        .unwrap();
    let contact = |supersedes_id| contacts::NewContact {
        person_id: ann.id,
        contact_type: "telephone".to_owned(),
        occurred_at: now,
        status: "completed".to_owned(),
        supersedes_id,
        ..Default::default()
    };
    let original = contacts::create(db, contact(None), now).await.unwrap();
    contacts::create(db, contact(None), now).await.unwrap();
    contacts::create(db, contact(Some(original.id)), now)
        .await
        .unwrap();
    let second = contacts::create(db, contact(Some(original.id)), now).await;
    assert!(
        matches!(second, Err(PersistenceError::Conflict(_))),
        "{second:?}"
    );
}

#[tokio::test]
async fn membership_history_is_kept_and_the_current_position_follows_it() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    for (offset, action, status, strand) in [
        (0, "propose", "proposed", "catch_convict"),
        (1, "adopt", "adopted", "catch_convict"),
        (2, "move", "adopted", "rehabilitate_resettle"),
    ] {
        memberships::record(
            db,
            ann.id,
            memberships::MembershipStep {
                action: action.into(),
                status: status.into(),
                strand: strand.into(),
                reason: Some(format!("step {offset}")),
                ..Default::default()
            },
            now + Duration::days(offset),
        )
        .await
        .unwrap();
    }
    let history = memberships::history(db, ann.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|step| step.action.as_str())
            .collect::<Vec<_>>(),
        ["propose", "adopt", "move"]
    );
    let current = people::find(db, ann.id).await.unwrap().unwrap();
    assert_eq!(current.cohort_status.as_deref(), Some("adopted"));
    assert_eq!(current.strand.as_deref(), Some("rehabilitate_resettle"));
}

#[tokio::test]
async fn a_new_allocation_in_a_role_ends_the_old_one_and_keeps_it() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    let first = officer(&test_db, "first@example.org").await;
    let second = officer(&test_db, "second@example.org").await;
    let old = allocations::allocate(db, ann.id, first, "offender_manager", None, now)
        .await
        .unwrap();
    allocations::allocate(
        db,
        ann.id,
        second,
        "offender_manager",
        None,
        now + Duration::days(1),
    )
    .await
    .unwrap();
    let all = allocations::for_person(db, ann.id).await.unwrap();
    assert_eq!(all.len(), 2);
    let active: Vec<_> = all.iter().filter(|a| a.to_at.is_none()).collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].staff_id, second);
    let ended = allocations::find(db, old.id).await.unwrap().unwrap();
    assert_eq!(ended.to_at, Some(now + Duration::days(1)));
    assert!(matches!(
        allocations::end(db, old.id, now).await,
        Err(PersistenceError::Conflict(_))
    ));
}

#[tokio::test]
async fn audit_events_commit_and_roll_back_with_the_work() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let entry = |action: &str| AuditEntry {
        action: action.to_owned(),
        entity: "person".to_owned(),
        purpose: "case_management".to_owned(),
        ..Default::default()
    };
    let txn = db.begin().await.unwrap();
    let ann = people::create(&txn, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    audit::append(
        &txn,
        AuditEntry {
            person_id: Some(ann.id),
            ..entry("collect")
        },
        now,
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    assert!(people::find(db, ann.id).await.unwrap().is_none());
    let nothing = audit::query(db, &AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        nothing.total, 0,
        "a rolled-back change leaves no audit event"
    );

    let txn = db.begin().await.unwrap();
    let bob = people::create(&txn, person("Bob", "Price", "2002/0000002A"), now)
        .await
        .unwrap();
    audit::append(
        &txn,
        AuditEntry {
            person_id: Some(bob.id),
            ..entry("collect")
        },
        now,
    )
    .await
    .unwrap();
    audit::append(
        &txn,
        AuditEntry {
            person_id: Some(bob.id),
            ..entry("consult")
        },
        now + Duration::minutes(1),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let consults = audit::query(
        db,
        &AuditFilter {
            person_id: Some(bob.id),
            action: Some("consult".into()),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(consults.total, 1);
    let all = audit::query(
        db,
        &AuditFilter {
            person_id: Some(bob.id),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(all.items[0].action, "consult", "newest first");
}

#[tokio::test]
async fn a_partner_agency_sees_only_the_people_referred_to_it() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let housing = agencies::create(db, "Northgate Homes", "housing", now)
        .await
        .unwrap();
    let drugs = agencies::create(db, "Recovery", "drug_alcohol", now)
        .await
        .unwrap();
    let ann = people::create(db, person("Ann", "Walker", "2001/0000001Z"), now)
        .await
        .unwrap();
    let bob = people::create(db, person("Bob", "Price", "2002/0000002A"), now)
        .await
        .unwrap();
    for (person_id, agency_id) in [
        (ann.id, housing.id),
        (ann.id, housing.id),
        (bob.id, drugs.id),
    ] {
        referrals::create(
            db,
            referrals::NewReferral {
                person_id,
                pathway: "accommodation".into(),
                agency_id,
                notes: None,
                created_by: None,
            },
            now,
        )
        .await
        .unwrap();
    }
    assert_eq!(
        referrals::people_referred_to(db, housing.id).await.unwrap(),
        vec![ann.id]
    );
    let filtered = people::search(
        db,
        &PeopleFilter {
            only_ids: Some(vec![bob.id]),
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        filtered.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![bob.id]
    );
}

#[tokio::test]
async fn audit_events_keep_every_field_and_a_list_read_is_one_event_found_by_each_person() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = monday_morning();
    let actor = uuid::Uuid::now_v7();
    let (ann, bob, cat) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let full = AuditEntry {
        actor_id: Some(actor),
        actor_role: Some("coordinator".to_owned()),
        action: "alter".to_owned(),
        person_id: Some(ann),
        entity: "person".to_owned(),
        entity_id: Some(ann),
        purpose: "cohort_management".to_owned(),
        request_id: Some("req-1 \"quoted\" {braces}, commas".to_owned()),
        detail: Some(serde_json::json!({"shown": 3, "q": "o'brien"})),
        people: Vec::new(),
    };
    let bare = AuditEntry {
        action: "disclose".to_owned(),
        entity: "referral".to_owned(),
        purpose: "partner_referral".to_owned(),
        ..Default::default()
    };
    let search = AuditEntry {
        action: "consult".to_owned(),
        entity: "people_search".to_owned(),
        ..full.clone()
    };
    audit::append(db, full.clone(), now).await.unwrap();
    audit::append(db, bare.clone(), now).await.unwrap();
    let txn = db.begin().await.unwrap();
    // A person shown twice (two referrals, say) is listed once, where first shown.
    audit::append_listing(&txn, search.listing([bob, ann, bob]), now)
        .await
        .unwrap();
    audit::append_listing(&txn, search.listing([]), now)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let all = audit::query(db, &AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        all.total, 3,
        "a list read that showed nobody records nothing"
    );
    let by_action = |action: &str| {
        all.items
            .iter()
            .find(|event| event.action == action)
            .unwrap()
    };
    let altered = by_action("alter");
    assert_eq!(altered.occurred_at, now);
    assert_eq!(altered.actor_id, full.actor_id);
    assert_eq!(altered.actor_role, full.actor_role);
    assert_eq!(altered.person_id, full.person_id);
    assert_eq!(altered.entity, full.entity);
    assert_eq!(altered.entity_id, full.entity_id);
    assert_eq!(altered.purpose, full.purpose);
    assert_eq!(altered.request_id, full.request_id);
    assert_eq!(altered.detail, full.detail);
    assert_eq!(altered.people, None);
    let disclosed = by_action("disclose");
    assert_eq!(disclosed.actor_id, None);
    assert_eq!(disclosed.actor_role, None);
    assert_eq!(disclosed.person_id, None);
    assert_eq!(disclosed.entity_id, None);
    assert_eq!(disclosed.request_id, None);
    assert_eq!(disclosed.detail, None);
    assert_eq!(disclosed.people, None);
    let listed = by_action("consult");
    assert_eq!(
        listed.person_id, None,
        "a list read is about everyone it showed"
    );
    assert_eq!(
        listed.people,
        Some(serde_json::json!([bob.to_string(), ann.to_string()]))
    );
    assert_eq!(listed.request_id, full.request_id);

    let about = |person| async move {
        let page = audit::query(
            db,
            &AuditFilter {
                person_id: Some(person),
                ..Default::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
        let mut actions: Vec<String> = page.items.into_iter().map(|e| e.action).collect();
        actions.sort();
        actions
    };
    assert_eq!(about(ann).await, ["alter", "consult"]);
    assert_eq!(about(bob).await, ["consult"]);
    assert!(about(cat).await.is_empty());
}
