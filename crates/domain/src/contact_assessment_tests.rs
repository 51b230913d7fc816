#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::contact_standard::default_contact_standards;
use crate::time::DEFAULT_TZ;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn contact(at: &str, contact_type: ContactType) -> CompletedContact {
    CompletedContact {
        occurred_at: utc(at),
        contact_type,
    }
}

fn standard(kind: StandardKind, every: Period, first_within: Option<Period>) -> ContactStandard {
    ContactStandard {
        code: "test".into(),
        version: 1,
        strand: Strand::CatchConvict,
        tier: Tier::A,
        kind,
        count: 1,
        every,
        first_within,
    }
}

fn member(since: &str) -> MemberContext {
    MemberContext {
        strand: Strand::CatchConvict,
        tier: Tier::A,
        since: utc(since),
    }
}

fn run(
    standards: &[ContactStandard],
    m: &MemberContext,
    c: &[CompletedContact],
    now: &str,
) -> Vec<DueItem> {
    let cal = WorkingCalendar::england_and_wales();
    assess_contact_standards(standards, m, c, utc(now), DEFAULT_TZ, &cal)
}

#[test]
fn first_contact_deadline_in_working_days() {
    let defaults = default_contact_standards();
    // Adopted Thursday 17 Dec 2026; 2 working days later is Monday 21 Dec.
    let m = member("2026-12-17T10:00:00Z");
    let items = run(&defaults, &m, &[], "2026-12-18T12:00:00Z");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].standard_code, "catch_convict.A.face_to_face");
    assert_eq!(items[0].due_by, utc("2026-12-21T23:59:59Z"));
    assert!(!items[0].overdue);
    assert_eq!(items[0].outstanding, 1);
    // Monthly home visit: period [17 Dec, 17 Jan), last day 16 Jan.
    assert_eq!(items[1].standard_code, "catch_convict.A.home_visit");
    assert_eq!(items[1].due_by, utc("2027-01-16T23:59:59Z"));

    let late = run(&defaults, &m, &[], "2026-12-22T00:00:00Z");
    assert!(late[0].overdue);
    assert_eq!(late[0].due_by, utc("2026-12-21T23:59:59Z"));

    // A phone call does not meet a face-to-face standard.
    let phoned = [contact("2026-12-18T09:00:00Z", ContactType::Telephone)];
    assert_eq!(
        run(&defaults, &m, &phoned, "2026-12-18T12:00:00Z")[0].due_by,
        utc("2026-12-21T23:59:59Z")
    );

    // An office visit meets it and covers the first weekly period [17 Dec, 24 Dec).
    let seen = [contact(
        "2026-12-18T09:00:00Z",
        ContactType::FaceToFaceOffice,
    )];
    let items = run(&defaults, &m, &seen, "2026-12-18T12:00:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, StandardKind::HomeVisit);
}

#[test]
fn contacts_before_since_do_not_count() {
    let s = [standard(
        StandardKind::FaceToFace,
        Period::Days(7),
        Some(Period::Days(3)),
    )];
    let m = member("2026-06-01T12:00:00Z");
    // Same local day but before the adoption instant.
    let before = [contact("2026-06-01T09:00:00Z", ContactType::HomeVisit)];
    let items = run(&s, &m, &before, "2026-06-02T12:00:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due_by, utc("2026-06-04T22:59:59Z"));
}

#[test]
fn short_previous_period_is_overdue() {
    let s = [standard(StandardKind::FaceToFace, Period::Days(7), None)];
    // Monday 1 June 2026, 09:00 BST.
    let m = member("2026-06-01T08:00:00Z");
    let contacts = [
        contact("2026-06-03T10:00:00Z", ContactType::FaceToFaceOffice), // period [1, 8)
        contact("2026-06-16T09:00:00Z", ContactType::Telephone),        // does not count
    ];
    let items = run(&s, &m, &contacts, "2026-06-16T10:00:00Z");
    assert_eq!(
        items,
        vec![
            DueItem {
                standard_code: "test".into(),
                kind: StandardKind::FaceToFace,
                due_by: utc("2026-06-14T22:59:59Z"),
                overdue: true,
                outstanding: 1,
            },
            DueItem {
                standard_code: "test".into(),
                kind: StandardKind::FaceToFace,
                due_by: utc("2026-06-21T22:59:59Z"),
                overdue: false,
                outstanding: 1,
            },
        ]
    );
    // A home visit on Sunday 14 June (local) fills the previous period.
    let mut more = contacts.to_vec();
    more.push(contact("2026-06-14T20:00:00Z", ContactType::HomeVisit));
    let items = run(&s, &m, &more, "2026-06-16T10:00:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due_by, utc("2026-06-21T22:59:59Z"));
}

#[test]
fn count_above_one_reports_the_remainder() {
    let mut st = standard(StandardKind::AnyContact, Period::Days(14), None);
    st.count = 3;
    let m = member("2026-01-05T09:00:00Z");
    let c = [contact("2026-01-06T09:00:00Z", ContactType::Letter)];
    let items = run(&[st], &m, &c, "2026-01-07T09:00:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].outstanding, 2);
    assert_eq!(items[0].due_by, utc("2026-01-18T23:59:59Z"));
}

#[test]
fn calendar_month_periods_across_october_clock_change() {
    let s = [standard(
        StandardKind::HomeVisit,
        Period::CalendarMonths(1),
        None,
    )];
    // 00:30 BST on Saturday 26 September 2026: local origin is 26 Sep, not 25 Sep.
    let m = member("2026-09-25T23:30:00Z");
    // 23:30 GMT on Sunday 25 October (after the clock change): still the first period.
    let items = run(&s, &m, &[], "2026-10-25T23:30:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due_by, utc("2026-10-25T23:59:59Z"));
    assert!(!items[0].overdue);
    // One hour later it is 26 October locally: the first period ended short.
    let items = run(&s, &m, &[], "2026-10-26T00:30:00Z");
    assert_eq!(items.len(), 2);
    assert!(items[0].overdue);
    assert_eq!(items[0].due_by, utc("2026-10-25T23:59:59Z"));
    assert_eq!(items[1].due_by, utc("2026-11-25T23:59:59Z"));
    assert!(!items[1].overdue);
    // A visit at 00:45 BST on 26 September counts for the first period.
    let visit = [contact("2026-09-25T23:45:00Z", ContactType::HomeVisit)];
    let items = run(&s, &m, &visit, "2026-10-26T00:30:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due_by, utc("2026-11-25T23:59:59Z"));
}

#[test]
fn only_matching_strand_and_tier_apply() {
    let defaults = default_contact_standards();
    let m = MemberContext {
        strand: Strand::PreventDeter,
        tier: Tier::E,
        since: utc("2026-03-02T10:00:00Z"),
    };
    let items = run(&defaults, &m, &[], "2026-03-03T10:00:00Z");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].standard_code, "prevent_deter.E.any_contact");
    // Monday 2 March + 5 working days = Monday 9 March (GMT).
    assert_eq!(items[0].due_by, utc("2026-03-09T23:59:59Z"));
}

#[test]
fn before_since_only_first_contact_can_be_due() {
    let s = [standard(StandardKind::FaceToFace, Period::Days(7), None)];
    let m = member("2026-06-10T08:00:00Z");
    assert!(run(&s, &m, &[], "2026-06-01T08:00:00Z").is_empty());
    let zero = [standard(StandardKind::FaceToFace, Period::Days(0), None)];
    assert!(run(&zero, &m, &[], "2026-06-20T08:00:00Z").is_empty());
}

mod day_periods {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Day periods are found by division; they must be the very periods the walk from the origin finds.
        #[test]
        fn division_finds_the_periods_the_walk_finds(
            origin_offset in 0u64..20_000,
            elapsed in 0u64..5_000,
            length in 1u32..400,
        ) {
            let calendar = WorkingCalendar::england_and_wales();
            let origin = NaiveDate::from_ymd_opt(1990, 1, 1)
                .unwrap()
                .checked_add_days(Days::new(origin_offset))
                .unwrap();
            let today = origin.checked_add_days(Days::new(elapsed)).unwrap();
            prop_assert_eq!(
                locate_day_period(length, origin, today),
                walk_periods(Period::Days(length), origin, today, &calendar)
            );
        }
    }

    #[test]
    fn the_first_period_has_none_before_it_and_a_zero_length_has_none_at_all() {
        let origin = NaiveDate::from_ymd_opt(2026, 3, 23).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let next = NaiveDate::from_ymd_opt(2026, 3, 30).unwrap();
        assert_eq!(
            locate_day_period(7, origin, today),
            Some((None, (origin, next)))
        );
        assert_eq!(
            locate_day_period(7, origin, next),
            Some((
                Some((origin, next)),
                (next, NaiveDate::from_ymd_opt(2026, 4, 6).unwrap())
            ))
        );
        assert_eq!(locate_day_period(0, origin, today), None);
    }
}
