//! What the owner's reports say about a business day, as the edge sends it and the dashboard
//! reads it (one type, so the two cannot drift apart).

use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    /// "YYYY-MM-DD" in the store's time zone.
    pub business_day: String,
    /// Sales minus refunds booked to the day.
    pub net: Money,
    pub sales: i64,
    /// Events booked to this day after it had closed (a lane offline overnight)…
    pub late: i64,
    /// …and when the last of them arrived: the day's report changed then.
    pub revised_ms: Option<i64>,
}

impl DayReport {
    /// The day's figures changed after it closed: a report printed earlier is out of date.
    pub fn changed_after_close(&self) -> bool {
        self.late > 0
    }
}
