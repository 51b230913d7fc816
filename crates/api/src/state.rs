//! What every handler can reach.

use std::sync::Arc;

use chrono_tz::Tz;
use vigil_domain::{Clock, WorkingCalendar};
use vigil_persistence::Database;

/// Shared, cheaply cloned state. The clock is injected so tests can move time.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub clock: Arc<dyn Clock>,
    pub time_zone: Tz,
    pub calendar: Arc<WorkingCalendar>,
}
