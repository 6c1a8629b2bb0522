//! Redis's log line format: `<pid>:<role> 14 Jan 2020 23:43:51.330 # message`.

use cluster_proto::{LogLevel, SimTime};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Civil date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`), so no date
/// crate and no clock are needed.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The timestamp as Redis logs it: `14 Jan 2020 23:43:51.330` (UTC).
pub fn log_timestamp(t: SimTime) -> String {
    let ms = t.as_unix_millis();
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let sod = secs % 86_400;
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        sod / 3600,
        sod % 3600 / 60,
        sod % 60,
        ms % 1000
    )
}

/// A whole log line. `role` is Redis's process role letter: `M` master, `S` replica,
/// `C` child, `X` sentinel.
pub fn log_line(pid: u32, role: char, t: SimTime, level: LogLevel, msg: &str) -> String {
    format!("{pid}:{role} {} {} {msg}", log_timestamp(t), level.marker())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_redis() {
        assert_eq!(
            log_timestamp(SimTime::DEFAULT_START + 330),
            "14 Jan 2020 23:34:33.330"
        );
        assert_eq!(
            log_timestamp(SimTime::from_unix_millis(0)),
            "01 Jan 1970 00:00:00.000"
        );
        // A leap day.
        assert_eq!(
            log_timestamp(SimTime::from_unix_millis(1_582_934_400_000)),
            "29 Feb 2020 00:00:00.000"
        );
        assert_eq!(
            log_line(7844, 'M', SimTime::DEFAULT_START, LogLevel::Warning, "hi"),
            "7844:M 14 Jan 2020 23:34:33.000 # hi"
        );
    }
}
