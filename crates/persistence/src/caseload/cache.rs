//! Each person's decoded caseload facts, kept in the server's memory by the revision of their stored row.
//! A worklist tells the database which revisions it already holds for the people it showed the same
//! officer last time; on PostgreSQL the database then sends no facts text for a row still at that revision,
//! and the server neither receives nor parses it. Every write that changes a part gives the row a new random
//! revision in the same statement (`store`), so a held revision is the stored content: several servers sharing one
//! database stay right, each with its own cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use super::facts::CaseloadFacts;

/// How many people's facts are held before the cache starts again (a few kB each).
const CAPACITY: usize = 20_000;

#[derive(Debug, Default)]
pub struct FactsCache {
    inner: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    facts: HashMap<Uuid, (i64, Arc<CaseloadFacts>)>,
    /// The people each officer's last worklist showed: whose revisions to offer the database next time.
    shown: HashMap<Uuid, Vec<Uuid>>,
}

impl FactsCache {
    fn held(&self) -> MutexGuard<'_, Held> {
        // Nothing here is left half-changed by a panic, so a poisoned lock is still sound to use.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The revisions held for the people `staff_id`'s last worklist showed.
    pub(crate) fn offered(&self, staff_id: Uuid) -> Vec<(Uuid, i64)> {
        let held = self.held();
        let Some(people) = held.shown.get(&staff_id) else {
            return Vec::new();
        };
        people
            .iter()
            .filter_map(|id| held.facts.get(id).map(|(revision, _)| (*id, *revision)))
            .collect()
    }

    /// The facts held for `person_id` at exactly `revision`.
    pub(crate) fn get(&self, person_id: Uuid, revision: i64) -> Option<Arc<CaseloadFacts>> {
        self.held()
            .facts
            .get(&person_id)
            .filter(|(held, _)| *held == revision)
            .map(|(_, facts)| Arc::clone(facts))
    }

    /// Keeps facts just decoded from their stored rows, and whom `staff_id`'s worklist showed.
    pub(crate) fn keep(
        &self,
        staff_id: Uuid,
        shown: Vec<Uuid>,
        decoded: Vec<(Uuid, i64, Arc<CaseloadFacts>)>,
    ) {
        let mut held = self.held();
        if held.facts.len() + decoded.len() > CAPACITY || held.shown.len() >= CAPACITY {
            *held = Held::default();
        }
        for (person_id, revision, facts) in decoded {
            held.facts.insert(person_id, (revision, facts));
        }
        held.shown.insert(staff_id, shown);
    }
}
