//! What the worklist needs to know about one person, worked out from the records: when their contact
//! standards run from, their completed contacts, booked appointments, pending enforcement steps and planned
//! home visits. Kept per person in `caseload_facts` (see [`super::store`]) so that a worklist is a read of
//! 40 small rows; each part is worked out here, from the records, by the same queries whether it is being
//! refreshed after a write or filled in for the first time.

use std::collections::HashMap;

use chrono::serde::ts_microseconds;
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vigil_domain::ContactType;

use crate::error::PersistenceError;
use crate::repositories::{appointments, contacts, custody, enforcement, home_visits, memberships};

/// How far back completed contacts are kept, from the time of the last write: two of the longest standard
/// period (`vigil_domain::LONGEST_PERIODS`, held at start-up), which covers the current and the previous
/// period at any later time.
pub const CONTACT_LOOKBACK_DAYS: i64 = 190;

/// One part of a person's facts, each refreshed by the writes that change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Adoption, or the latest release from custody if later (memberships, custody).
    StandardsSince,
    /// Completed contacts (contacts).
    Contacts,
    /// Booked appointments (appointments).
    Appointments,
    /// Pending enforcement steps (enforcement).
    Enforcement,
    /// Planned home visits (home visits).
    HomeVisits,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::StandardsSince,
        Part::Contacts,
        Part::Appointments,
        Part::Enforcement,
        Part::HomeVisits,
    ];

    /// Where the part stands in [`Part::ALL`].
    pub const fn position(self) -> usize {
        self as usize
    }
}

// Instants are stored as integer microseconds since the Unix epoch (`ts_microseconds`): reading RFC 3339
// text was the largest single cost of a worklist. Microseconds are PostgreSQL's own precision, and cover
// every year an instant can be given in.

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactFacts {
    /// The latest completed contact of each type, however old, in the order of the types' names. A first-contact
    /// standard is met by any qualifying contact since adoption, which may be older than the lookback:
    /// without these, someone seen face to face once, long ago, and only telephoned since would show as
    /// never seen.
    pub latest_by_type: Vec<RecentContact>,
    /// Completed contacts in the lookback before the last write, oldest first.
    pub recent: Vec<RecentContact>,
}

impl ContactFacts {
    /// The latest completed contact, however old.
    pub fn last_completed(&self) -> Option<DateTime<Utc>> {
        self.latest_by_type.iter().map(|contact| contact.at).max()
    }

    /// The contacts the standards are assessed on: the lookback's, and the latest of each type from before
    /// it. Exact for the assessment: its periods lie within the lookback, where every contact is listed (a
    /// latest-of-type inside it is one of `recent`, so it is not listed twice); only the first-contact rule
    /// looks further back, and for that the latest of each type is enough.
    pub fn for_assessment(&self) -> impl Iterator<Item = &RecentContact> {
        self.recent.iter().chain(
            self.latest_by_type
                .iter()
                .filter(|latest| !self.recent.contains(latest)),
        )
    }

    /// The part after one more contact is logged at `now`: the same as working it out from the records
    /// again (completed contacts only; the latest of each type; the lookback's, oldest first), without
    /// reading them.
    pub fn with_logged(mut self, contact: RecentContact, now: DateTime<Utc>) -> Self {
        let window = now - Duration::days(CONTACT_LOOKBACK_DAYS);
        match self
            .latest_by_type
            .iter_mut()
            .find(|latest| latest.contact_type == contact.contact_type)
        {
            Some(latest) => {
                if contact.at > latest.at {
                    *latest = contact.clone();
                }
            }
            None => {
                self.latest_by_type.push(contact.clone());
                sort_by_type(&mut self.latest_by_type);
            }
        }
        self.recent.retain(|c| c.at >= window);
        if contact.at >= window {
            let position = self.recent.partition_point(|c| c.at <= contact.at);
            self.recent.insert(position, contact);
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentContact {
    #[serde(with = "ts_microseconds")]
    pub at: DateTime<Utc>,
    /// Read straight into the closed vocabulary: no string to allocate for each of a worklist's hundreds.
    #[serde(rename = "type")]
    pub contact_type: ContactType,
}

/// A booked appointment: the next one, or one past its end still waiting for an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookedAppointment {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub appointment_type: String,
    #[serde(with = "ts_microseconds")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "ts_microseconds")]
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingStep {
    pub id: Uuid,
    pub action: String,
    #[serde(with = "ts_microseconds")]
    pub due_by: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedVisit {
    pub id: Uuid,
    pub announced: bool,
    #[serde(with = "ts_microseconds")]
    pub window_end: DateTime<Utc>,
}

/// Everything the worklist assesses for one person, apart from the person row itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseloadFacts {
    pub standards_since: Option<DateTime<Utc>>,
    pub contacts: ContactFacts,
    /// Earliest first.
    pub appointments: Vec<BookedAppointment>,
    /// Soonest deadline first.
    pub enforcement: Vec<PendingStep>,
    /// Earliest window end first.
    pub home_visits: Vec<PlannedVisit>,
}

/// A stored part that cannot be read: damaged, or written in a form from before a change.
pub type FormatError = postcard::Error;

// The stored form of every part is postcard: compact (an instant is a varint, an id 16 bytes, a contact
// type one byte) and read without parsing text. A worklist reads 40 people's facts; as JSON they were
// about 1.2 kB a person and the largest single cost of the server's share of a worklist.
//
// Each part starts with a format byte, [`FORMAT`]. Postcard does not describe itself: bytes written from
// a struct with one field fewer could read as something else without an error. So any change to these
// types' stored form (a field added, removed or reordered; a variant of an enumeration moved) must raise
// `FORMAT`: parts stored before then fail to read and are worked out again from the records (see
// `store::complete`), with no migration. Enumerations are stored by their position in the declaration
// (serde's variant index); `contact_types_are_stored_by_a_fixed_position` holds `ContactType`'s.

/// The stored form's version, the first byte of every part. 2: the contacts part keeps the latest of each
/// type instead of the latest of all.
const FORMAT: u8 = 2;

impl CaseloadFacts {
    /// The part in its stored form.
    pub fn encode(&self, part: Part) -> Result<Vec<u8>, FormatError> {
        match part {
            Part::StandardsSince => write(&self.standards_since.map(|at| at.timestamp_micros())),
            Part::Contacts => write(&self.contacts),
            Part::Appointments => write(&self.appointments),
            Part::Enforcement => write(&self.enforcement),
            Part::HomeVisits => write(&self.home_visits),
        }
    }

    /// Sets the part from its stored form.
    pub fn decode(&mut self, part: Part, stored: &[u8]) -> Result<(), FormatError> {
        match part {
            Part::StandardsSince => {
                let since: Option<i64> = read_whole(stored)?;
                self.standards_since = since
                    .map(|micros| {
                        DateTime::from_timestamp_micros(micros)
                            .ok_or(postcard::Error::DeserializeBadEncoding)
                    })
                    .transpose()?;
            }
            Part::Contacts => self.contacts = read_whole(stored)?,
            Part::Appointments => self.appointments = read_whole(stored)?,
            Part::Enforcement => self.enforcement = read_whole(stored)?,
            Part::HomeVisits => self.home_visits = read_whole(stored)?,
        }
        Ok(())
    }
}

/// A part's stored form: the format byte, then the value.
pub(crate) fn write<T: Serialize>(value: &T) -> Result<Vec<u8>, FormatError> {
    postcard::to_extend(value, vec![FORMAT])
}

/// Reads a part written by [`write`] in the current format. The value must take up the rest of `stored`:
/// postcard stops at the end of the value, so anything left over means the bytes are not this part's form.
pub(crate) fn read_whole<'a, T: Deserialize<'a>>(stored: &'a [u8]) -> Result<T, FormatError> {
    let Some((&FORMAT, value)) = stored.split_first() else {
        return Err(postcard::Error::DeserializeBadEncoding);
    };
    match postcard::take_from_bytes(value)? {
        (value, []) => Ok(value),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

/// Works `part` out from the records for these people (one or two queries for all of them) and sets it in
/// `facts`, adding an entry for anyone missing. `now` bounds the contact lookback.
pub async fn load_part(
    db: &impl ConnectionTrait,
    part: Part,
    ids: &[Uuid],
    now: DateTime<Utc>,
    facts: &mut HashMap<Uuid, CaseloadFacts>,
) -> Result<(), PersistenceError> {
    if ids.is_empty() {
        return Ok(());
    }
    for id in ids {
        let entry = facts.entry(*id).or_default();
        match part {
            Part::StandardsSince => entry.standards_since = None,
            Part::Contacts => entry.contacts = ContactFacts::default(),
            Part::Appointments => entry.appointments.clear(),
            Part::Enforcement => entry.enforcement.clear(),
            Part::HomeVisits => entry.home_visits.clear(),
        }
    }
    match part {
        Part::StandardsSince => {
            for adoption in memberships::adoptions_for_people(db, ids).await? {
                of(facts, adoption.person_id).standards_since = Some(adoption.occurred_at);
            }
            for period in custody::for_people(db, ids).await? {
                if let Some(released) = period.released_at {
                    let since = &mut of(facts, period.person_id).standards_since;
                    *since = Some(since.map_or(released, |s| s.max(released)));
                }
            }
        }
        Part::Contacts => {
            let window = now - Duration::days(CONTACT_LOOKBACK_DAYS);
            // Every stored type is one the API accepted; one that is not could satisfy no standard.
            for (person_id, at, contact_type) in
                contacts::completed_for_people_since(db, ids, window).await?
            {
                if let Ok(contact_type) = contact_type.parse() {
                    let recent = RecentContact { at, contact_type };
                    of(facts, person_id).contacts.recent.push(recent);
                }
            }
            for (person_id, contact_type, at) in
                contacts::latest_completed_by_type_for_people(db, ids).await?
            {
                if let Ok(contact_type) = contact_type.parse() {
                    let latest = RecentContact { at, contact_type };
                    of(facts, person_id).contacts.latest_by_type.push(latest);
                }
            }
            for person_facts in facts.values_mut() {
                sort_by_type(&mut person_facts.contacts.latest_by_type);
            }
        }
        Part::Appointments => {
            for a in appointments::booked_for_people(db, ids).await? {
                of(facts, a.person_id).appointments.push(BookedAppointment {
                    id: a.id,
                    appointment_type: a.appointment_type,
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                });
            }
        }
        Part::Enforcement => {
            for step in enforcement::pending_for_people(db, ids).await? {
                of(facts, step.person_id).enforcement.push(PendingStep {
                    id: step.id,
                    action: step.action,
                    due_by: step.due_by,
                });
            }
        }
        Part::HomeVisits => {
            for visit in home_visits::planned_for_people(db, ids).await? {
                of(facts, visit.person_id).home_visits.push(PlannedVisit {
                    id: visit.id,
                    announced: visit.announced,
                    window_end: visit.window_end,
                });
            }
        }
    }
    Ok(())
}

/// One order for the latest of each type, whether worked out from the records or kept up by
/// [`ContactFacts::with_logged`], so both store the same bytes.
fn sort_by_type(latest: &mut [RecentContact]) {
    latest.sort_by(|a, b| a.contact_type.as_str().cmp(b.contact_type.as_str()));
}

fn of(facts: &mut HashMap<Uuid, CaseloadFacts>, person_id: Uuid) -> &mut CaseloadFacts {
    facts.entry(person_id).or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an instant")
    }

    #[test]
    fn each_part_stands_at_its_position_in_all() {
        for (position, part) in Part::ALL.into_iter().enumerate() {
            assert_eq!(part.position(), position, "{part:?}");
        }
    }

    #[test]
    fn instants_are_stored_as_microseconds_and_read_back_exactly() {
        let facts = CaseloadFacts {
            standards_since: Some(at("2026-03-29T00:59:59.999999Z")),
            contacts: ContactFacts {
                latest_by_type: vec![RecentContact {
                    at: at("2026-10-25T01:30:00.000001Z"),
                    contact_type: ContactType::Telephone,
                }],
                recent: vec![RecentContact {
                    at: at("2026-10-25T01:30:00.000001Z"),
                    contact_type: ContactType::Telephone,
                }],
            },
            appointments: vec![BookedAppointment {
                id: Uuid::nil(),
                appointment_type: "office_visit".to_owned(),
                starts_at: at("1899-12-31T23:00:00Z"),
                ends_at: at("9999-12-31T23:59:59Z"),
            }],
            enforcement: vec![PendingStep {
                id: Uuid::nil(),
                action: "warning".to_owned(),
                due_by: at("2026-11-27T23:59:59Z"),
            }],
            home_visits: vec![PlannedVisit {
                id: Uuid::nil(),
                announced: false,
                window_end: at("2026-12-01T18:00:00Z"),
            }],
        };
        let mut read = CaseloadFacts::default();
        for part in Part::ALL {
            let stored = facts.encode(part).expect("encodes");
            read.decode(part, &stored).expect("decodes");
        }
        assert_eq!(read, facts);
        // The format, Some, then the instant as a zigzag varint of microseconds:
        // 2026-03-29T00:59:59.999999Z in 8 bytes.
        assert_eq!(
            facts.encode(Part::StandardsSince).expect("encodes"),
            [FORMAT, 1, 254, 143, 172, 142, 232, 135, 167, 6]
        );
    }

    #[test]
    fn what_is_not_a_whole_part_is_refused() {
        let facts = CaseloadFacts {
            appointments: vec![BookedAppointment {
                id: Uuid::nil(),
                appointment_type: "office_visit".to_owned(),
                starts_at: at("2026-11-24T10:00:00Z"),
                ends_at: at("2026-11-24T10:30:00Z"),
            }],
            ..CaseloadFacts::default()
        };
        let stored = facts.encode(Part::Appointments).expect("encodes");
        let mut read = CaseloadFacts::default();
        let mut longer = stored.clone();
        longer.push(0);
        assert!(read.decode(Part::Appointments, &longer).is_err());
        assert!(
            read.decode(Part::Appointments, &stored[..stored.len() - 1])
                .is_err()
        );
        // The JSON text stored before the binary form, and the same value in another format.
        assert!(read.decode(Part::Appointments, b"[]").is_err());
        let mut other_format = stored.clone();
        other_format[0] = FORMAT + 1;
        assert!(read.decode(Part::Appointments, &other_format).is_err());
        assert!(read.decode(Part::Appointments, &stored).is_ok());
        assert_eq!(read, facts);
    }

    /// The stored form keeps a contact type as its variant's position. Reordering `ContactType`, or adding
    /// a variant anywhere but at the end, would make stored contacts read as other types: this fails first.
    #[test]
    fn contact_types_are_stored_by_a_fixed_position() {
        let stored_positions = [
            "face_to_face_office",
            "home_visit",
            "telephone",
            "video",
            "text_email",
            "letter",
            "third_party",
            "case_conference",
        ];
        for (position, name) in stored_positions.into_iter().enumerate() {
            let contact_type: ContactType = name.parse().expect("a contact type");
            assert_eq!(
                postcard::to_allocvec(&contact_type).expect("encodes"),
                [u8::try_from(position).expect("small")],
                "{name}: append new contact types at the end, or clear caseload_facts in a migration"
            );
        }
        assert!(ContactType::ALL.len() >= stored_positions.len());
    }

    fn contact(when: &str, contact_type: ContactType) -> RecentContact {
        RecentContact {
            at: at(when),
            contact_type,
        }
    }

    #[test]
    fn the_latest_of_each_type_is_kept_however_old() {
        let face_to_face = contact("2026-01-10T10:00:00Z", ContactType::FaceToFaceOffice);
        let facts =
            ContactFacts::default().with_logged(face_to_face.clone(), at("2026-01-10T10:00:00Z"));
        // 200 days on, a telephone call: the office visit leaves the lookback but stays the latest of its type.
        let call = contact("2026-07-29T10:00:00Z", ContactType::Telephone);
        let facts = facts.with_logged(call.clone(), at("2026-07-29T10:00:00Z"));
        assert_eq!(facts.recent, std::slice::from_ref(&call));
        assert_eq!(facts.latest_by_type, [face_to_face.clone(), call.clone()]);
        assert_eq!(facts.last_completed(), Some(call.at));
        // Assessed on the call and, from before the lookback, the office visit; nothing twice.
        let assessed: Vec<&RecentContact> = facts.for_assessment().collect();
        assert_eq!(assessed, [&call, &face_to_face]);

        // A later one of a type replaces it; an earlier one (logged late) does not.
        let later_call = contact("2026-07-30T10:00:00Z", ContactType::Telephone);
        let facts = facts.with_logged(later_call.clone(), at("2026-07-30T10:00:00Z"));
        let facts = facts.with_logged(
            contact("2026-07-01T10:00:00Z", ContactType::Telephone),
            at("2026-07-30T11:00:00Z"),
        );
        assert_eq!(facts.latest_by_type, [face_to_face, later_call]);
        assert_eq!(facts.recent.len(), 3);
        assert_eq!(facts.for_assessment().count(), 4);
    }
}
