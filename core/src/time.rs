//! Time: UTC instants (milliseconds since the Unix epoch, JS-safe) on the wire; the store's
//! offset from UTC decides the business day a sale belongs to.

/// The civil date (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
/// Eras of 400 years (146,097 days) make the leap-year rule a table-free calculation.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // shift the epoch to 0000-03-01 so leap days fall at the end of a year
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // year of era [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of (March-based) year [0, 365]
    let mp = (5 * doy + 2) / 153; // March-based month [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date: the inverse of `civil_from_days`.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12); // March-based month
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The business day `n` days after `day` ("YYYY-MM-DD"; `n` may be negative), or None if `day`
/// is not a date.
pub fn add_days(day: &str, n: i64) -> Option<String> {
    let mut parts = day.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || day.len() != 10 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // A date like 02-31 does not survive the round trip.
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    let (y, m, d) = civil_from_days(days + n);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// The business day ("YYYY-MM-DD") of instant `at_ms` in a store `offset_minutes` east of UTC.
pub fn business_day(at_ms: i64, offset_minutes: i32) -> String {
    let local_ms = at_ms + i64::from(offset_minutes) * 60_000;
    let (y, m, d) = civil_from_days(local_ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Local hour of day (0–23) of `at_ms` in the store's offset: the hourly chart's bucket.
pub fn local_hour(at_ms: i64, offset_minutes: i32) -> u32 {
    let local_ms = at_ms + i64::from(offset_minutes) * 60_000;
    (local_ms.rem_euclid(86_400_000) / 3_600_000) as u32
}

/// Local wall-clock time "HH:MM:SS" of `at_ms` in the store's offset (sync badge, receipts).
pub fn local_time(at_ms: i64, offset_minutes: i32) -> String {
    let secs = (at_ms + i64::from(offset_minutes) * 60_000).rem_euclid(86_400_000) / 1000;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_step_across_months_years_and_leap_days() {
        assert_eq!(add_days("2026-11-25", -7).as_deref(), Some("2026-11-18"));
        assert_eq!(add_days("2026-03-01", -1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_days("2024-03-01", -1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_days("2026-12-31", 1).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("2026-02-31", 0), None);
        assert_eq!(add_days("yesterday", 0), None);
        for d in [-800_000i64, -1, 0, 1, 20_000, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(business_day(0, 0), "1970-01-01");
        // 2026-11-24T15:00:00Z is 2026-11-25 00:00 in Tokyo (UTC+9).
        let at = 1_795_532_400_000;
        assert_eq!(business_day(at, 0), "2026-11-24");
        assert_eq!(business_day(at, 540), "2026-11-25");
        assert_eq!(business_day(at - 1, 540), "2026-11-24");
        assert_eq!(local_hour(at, 540), 0);
        assert_eq!(business_day(951_782_400_000, 0), "2000-02-29");
        assert_eq!(business_day(-86_400_000, 0), "1969-12-31");
        assert_eq!(local_time(at + 3_723_000, 540), "01:02:03");
    }
}
