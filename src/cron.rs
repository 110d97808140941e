//! EventBridge Scheduler schedule expressions: `cron(...)`, `rate(...)` and
//! `at(...)`, read and evaluated. Shared by the checker (which refuses what
//! EventBridge Scheduler refuses, with the field and the reason) and the
//! runner (which fires local schedules at the times AWS would). Pure: no
//! clock is read here; callers pass the instant to start from.
//!
//! The rules follow the EventBridge Scheduler user guide, "Schedule types on
//! EventBridge Scheduler": six fields `minutes hours day-of-month month
//! day-of-week year`; `, - * /` everywhere, `?` in exactly one of the two
//! day fields, `L` and `W` in day-of-month, `L` and `#` in day-of-week;
//! months `1-12` or `JAN-DEC`, weekdays `1-7` or `SUN-SAT` (1 is Sunday),
//! years 1970-2199. Time zones are IANA names (the embedded tz database).

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A set of allowed values of one numeric field, `lo..=hi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    lo: u32,
    allowed: Vec<bool>,
}

impl Field {
    pub fn contains(&self, v: u32) -> bool {
        v >= self.lo && self.allowed.get((v - self.lo) as usize) == Some(&true)
    }

    fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.allowed
            .iter()
            .enumerate()
            .filter(|(_, a)| **a)
            .map(move |(i, _)| self.lo + i as u32)
    }
}

/// The day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonthDays {
    /// `?`: the day-of-week field decides.
    Unset,
    Days(Field),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday to Friday) of the month.
    LastWeekday,
    /// `15W`: the weekday nearest the 15th, within the month.
    NearestWeekday(u32),
}

/// The day-of-week field (1 = Sunday ... 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeekDays {
    /// `?`: the day-of-month field decides.
    Unset,
    Days(Field),
    /// `6L`: the last Friday of the month.
    Last(u32),
    /// `3#2`: the second Tuesday of the month.
    Nth(u32, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    pub minutes: Field,
    pub hours: Field,
    pub month_days: MonthDays,
    pub months: Field,
    pub week_days: WeekDays,
    pub years: Field,
}

/// The unit of a `rate(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Minutes,
    Hours,
    Days,
}

impl RateUnit {
    pub fn seconds(self) -> u64 {
        match self {
            RateUnit::Minutes => 60,
            RateUnit::Hours => 3600,
            RateUnit::Days => 86_400,
        }
    }

    /// `minute` / `minutes`: EventBridge wants the singular for 1 only.
    pub fn word(self, value: u64) -> &'static str {
        match (self, value == 1) {
            (RateUnit::Minutes, true) => "minute",
            (RateUnit::Minutes, false) => "minutes",
            (RateUnit::Hours, true) => "hour",
            (RateUnit::Hours, false) => "hours",
            (RateUnit::Days, true) => "day",
            (RateUnit::Days, false) => "days",
        }
    }
}

/// Why an expression is refused: which field, what was written, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronError {
    /// Not six fields separated by spaces.
    FieldCount(usize),
    /// A token a field does not take (`field`, `token`, what the field takes).
    Syntax {
        field: &'static str,
        token: String,
        takes: &'static str,
    },
    /// A value outside the field's range.
    Range {
        field: &'static str,
        value: String,
        lo: u32,
        hi: u32,
    },
    /// Day-of-month and day-of-week both given, or neither left `?`.
    DayFields { both: bool },
    /// A valid expression that matches no time (`30 2 ?`: 30 February).
    Never,
}

impl std::fmt::Display for CronError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CronError::FieldCount(n) => write!(
                f,
                "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has {n}"
            ),
            CronError::Syntax { field, token, takes } => {
                write!(f, "`{token}` is not a {field} value ({field} takes {takes})")
            }
            CronError::Range { field, value, lo, hi } => {
                write!(f, "{field} `{value}` is outside {lo}-{hi}")
            }
            CronError::DayFields { both: true } => f.write_str(
                "day-of-month and day-of-week are both given; one of them must be `?`",
            ),
            CronError::DayFields { both: false } => {
                f.write_str("day-of-month and day-of-week are both `?`; give one of them")
            }
            CronError::Never => f.write_str("the expression matches no date"),
        }
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Oldest and newest years EventBridge's cron takes.
pub const YEARS: (u32, u32) = (1970, 2199);

struct Spec {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
    takes: &'static str,
}

const MINUTES: Spec = Spec {
    name: "minutes",
    lo: 0,
    hi: 59,
    names: &[],
    takes: "0-59 and , - * /",
};
const HOURS: Spec = Spec {
    name: "hours",
    lo: 0,
    hi: 23,
    names: &[],
    takes: "0-23 and , - * /",
};
const MONTH_DAY: Spec = Spec {
    name: "day-of-month",
    lo: 1,
    hi: 31,
    names: &[],
    takes: "1-31 and , - * ? / L W",
};
const MONTH: Spec = Spec {
    name: "month",
    lo: 1,
    hi: 12,
    names: &MONTHS,
    takes: "1-12 or JAN-DEC and , - * /",
};
const WEEK_DAY: Spec = Spec {
    name: "day-of-week",
    lo: 1,
    hi: 7,
    names: &DAYS,
    takes: "1-7 or SUN-SAT and , - * ? L #",
};
const YEAR: Spec = Spec {
    name: "year",
    lo: YEARS.0,
    hi: YEARS.1,
    names: &[],
    takes: "1970-2199 and , - * /",
};

impl Spec {
    fn syntax(&self, token: &str) -> CronError {
        CronError::Syntax {
            field: self.name,
            token: token.to_string(),
            takes: self.takes,
        }
    }

    fn value(&self, s: &str) -> Result<u32, CronError> {
        let upper = s.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(self.lo + i as u32);
        }
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 6 {
            return Err(self.syntax(s));
        }
        let v: u32 = s.parse().map_err(|_| self.syntax(s))?;
        if v < self.lo || v > self.hi {
            return Err(CronError::Range {
                field: self.name,
                value: s.to_string(),
                lo: self.lo,
                hi: self.hi,
            });
        }
        Ok(v)
    }

    /// `*`, `5`, `1-5`, `*/15`, `10/5`, `1-30/2`, comma-separated.
    fn field(&self, text: &str) -> Result<Field, CronError> {
        let mut allowed = vec![false; (self.hi - self.lo + 1) as usize];
        for part in text.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 6 {
                        return Err(self.syntax(part));
                    }
                    let step: u32 = s.parse().map_err(|_| self.syntax(part))?;
                    if step == 0 {
                        return Err(self.syntax(part));
                    }
                    (r, Some(step))
                }
                None => (part, None),
            };
            let (lo, hi) = if range == "*" {
                (self.lo, self.hi)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a)?, self.value(b)?);
                if a > b {
                    return Err(self.syntax(part));
                }
                (a, b)
            } else {
                let v = self.value(range)?;
                // `10/5` starts at 10 and runs to the end of the range.
                (v, if step.is_some() { self.hi } else { v })
            };
            let step = step.unwrap_or(1);
            let mut v = lo;
            while v <= hi {
                allowed[(v - self.lo) as usize] = true;
                v += step;
            }
        }
        Ok(Field {
            lo: self.lo,
            allowed,
        })
    }
}

/// Reads the six fields of a cron expression (what is inside `cron(...)`).
pub fn parse_cron(text: &str) -> Result<Cron, CronError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(CronError::FieldCount(fields.len()));
    }
    let minutes = MINUTES.field(fields[0])?;
    let hours = HOURS.field(fields[1])?;
    let month_days = match fields[2] {
        "?" => MonthDays::Unset,
        "L" => MonthDays::Last,
        "LW" => MonthDays::LastWeekday,
        s if s.len() > 1 && s.ends_with('W') => {
            MonthDays::NearestWeekday(MONTH_DAY.value(&s[..s.len() - 1])?)
        }
        s if s.contains(['?', 'L', 'W']) => return Err(MONTH_DAY.syntax(s)),
        s => MonthDays::Days(MONTH_DAY.field(s)?),
    };
    let months = MONTH.field(fields[3])?;
    let week_days = match fields[4] {
        "?" => WeekDays::Unset,
        "L" => WeekDays::Days(WEEK_DAY.field("7")?),
        s if s.len() > 1 && s.ends_with('L') => WeekDays::Last(WEEK_DAY.value(&s[..s.len() - 1])?),
        s if s.contains('#') => {
            let (d, n) = s.split_once('#').expect("contains #");
            let nth = match n {
                "1" | "2" | "3" | "4" | "5" => n.parse().expect("a digit"),
                _ => {
                    return Err(CronError::Range {
                        field: "day-of-week",
                        value: s.to_string(),
                        lo: 1,
                        hi: 5,
                    })
                }
            };
            WeekDays::Nth(WEEK_DAY.value(d)?, nth)
        }
        s if s.contains(['?', 'L']) => return Err(WEEK_DAY.syntax(s)),
        s => WeekDays::Days(WEEK_DAY.field(s)?),
    };
    let years = YEAR.field(fields[5])?;
    match (&month_days, &week_days) {
        (MonthDays::Unset, WeekDays::Unset) => return Err(CronError::DayFields { both: false }),
        (MonthDays::Unset, _) | (_, WeekDays::Unset) => {}
        _ => return Err(CronError::DayFields { both: true }),
    }
    let cron = Cron {
        minutes,
        hours,
        month_days,
        months,
        week_days,
        years,
    };
    let start = DateTime::new(YEARS.0 as i16, 1, 1, 0, 0, 0, 0).expect("valid date");
    if cron.next_civil(start).is_none() {
        return Err(CronError::Never);
    }
    Ok(cron)
}

fn days_in_month(date: Date) -> u32 {
    date.days_in_month() as u32
}

/// Sunday = 1 ... Saturday = 7, as cron counts.
fn cron_weekday(w: Weekday) -> u32 {
    w.to_sunday_one_offset() as u32
}

fn is_weekday(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl Cron {
    fn day_matches(&self, d: Date) -> bool {
        let day = d.day() as u32;
        let last = days_in_month(d);
        let by_month_day = match &self.month_days {
            MonthDays::Unset => true,
            MonthDays::Days(f) => f.contains(day),
            MonthDays::Last => day == last,
            MonthDays::LastWeekday => {
                let mut x = d.last_of_month();
                while !is_weekday(x) {
                    x = x.yesterday().expect("in range");
                }
                x == d
            }
            MonthDays::NearestWeekday(n) => {
                if *n > last {
                    return false;
                }
                let target = d
                    .first_of_month()
                    .saturating_add(jiff::Span::new().days(*n as i64 - 1));
                let nearest = match target.weekday() {
                    Weekday::Saturday if *n == 1 => {
                        target.saturating_add(jiff::Span::new().days(2))
                    }
                    Weekday::Saturday => target.saturating_sub(jiff::Span::new().days(1)),
                    Weekday::Sunday if *n == last => {
                        target.saturating_sub(jiff::Span::new().days(2))
                    }
                    Weekday::Sunday => target.saturating_add(jiff::Span::new().days(1)),
                    _ => target,
                };
                nearest == d
            }
        };
        let wd = cron_weekday(d.weekday());
        let by_week_day = match &self.week_days {
            WeekDays::Unset => true,
            WeekDays::Days(f) => f.contains(wd),
            WeekDays::Last(w) => *w == wd && day + 7 > last,
            WeekDays::Nth(w, n) => *w == wd && (day - 1) / 7 + 1 == *n,
        };
        by_month_day && by_week_day
    }

    /// The first civil time at or after `from` (whole minutes) that matches.
    pub fn next_civil(&self, from: DateTime) -> Option<DateTime> {
        let mut date = from.date();
        let (mut min_hour, mut min_minute) = (from.hour() as u32, from.minute() as u32);
        if from.second() != 0 || from.subsec_nanosecond() != 0 {
            min_minute += 1;
        }
        loop {
            let year = date.year() as u32;
            if year > YEARS.1 {
                return None;
            }
            if !self.years.contains(year) {
                // Jump to the next allowed year.
                let next = self.years.values().find(|y| *y > year)?;
                date = Date::new(next as i16, 1, 1).ok()?;
                (min_hour, min_minute) = (0, 0);
                continue;
            }
            if !self.months.contains(date.month() as u32) {
                date = date.last_of_month().tomorrow().ok()?;
                (min_hour, min_minute) = (0, 0);
                continue;
            }
            if self.day_matches(date) {
                for h in self.hours.values().filter(|h| *h >= min_hour) {
                    let first = if h == min_hour { min_minute } else { 0 };
                    if let Some(m) = self.minutes.values().find(|m| *m >= first) {
                        return DateTime::new(
                            date.year(),
                            date.month(),
                            date.day(),
                            h as i8,
                            m as i8,
                            0,
                            0,
                        )
                        .ok();
                    }
                }
            }
            date = date.tomorrow().ok()?;
            (min_hour, min_minute) = (0, 0);
        }
    }
}

/// A whole schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    Cron(Box<Cron>),
    Rate { value: u64, unit: RateUnit },
    At(DateTime),
}

/// Reads `cron(...)`, `rate(N unit)` or `at(yyyy-mm-ddThh:mm:ss)`.
pub fn parse(text: &str) -> Result<Expression, String> {
    let inner = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
    };
    if let Some(body) = inner("cron(") {
        return parse_cron(body)
            .map(|c| Expression::Cron(Box::new(c)))
            .map_err(|e| e.to_string());
    }
    if let Some(body) = inner("rate(") {
        let (n, unit) = body
            .split_once(' ')
            .ok_or_else(|| format!("`{body}` is not `N minutes`, `N hours` or `N days`"))?;
        let value: u64 = n
            .parse()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| format!("`{n}` is not a whole number from 1"))?;
        let unit = match unit.trim() {
            "minute" | "minutes" => RateUnit::Minutes,
            "hour" | "hours" => RateUnit::Hours,
            "day" | "days" => RateUnit::Days,
            other => return Err(format!("`{other}` is not minutes, hours or days")),
        };
        return Ok(Expression::Rate { value, unit });
    }
    if let Some(body) = inner("at(") {
        return parse_at(body).map(Expression::At);
    }
    Err(format!(
        "`{text}` is not `cron(...)`, `rate(...)` or `at(...)`"
    ))
}

/// `yyyy-mm-ddThh:mm:ss`, the only form `at(...)` takes.
pub fn parse_at(body: &str) -> Result<DateTime, String> {
    let shape_ok = body.len() == 19
        && body.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!(
            "`{body}` is not a date and time like 2026-12-01T09:30:00"
        ));
    }
    body.parse::<DateTime>()
        .map_err(|_| format!("`{body}` is not a date and time that exists"))
}

/// The IANA time zone of that name, from the embedded tz database.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    if name.is_empty() || name.starts_with('/') || name.contains("..") {
        return None;
    }
    TimeZone::get(name).ok()
}

/// Zone names close to `name` (another case, the same city, or a small
/// typo), for a hint.
pub fn similar_zones(name: &str) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let city = lower.rsplit('/').next().unwrap_or(&lower).to_string();
    let names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .collect();
    let mut hits: Vec<String> = names
        .iter()
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            l == lower || (!city.is_empty() && l.rsplit('/').next() == Some(city.as_str()))
        })
        .cloned()
        .collect();
    if hits.is_empty() {
        hits.extend(
            crate::diag::closest(name, names.iter().map(String::as_str)).map(str::to_string),
        );
    }
    hits.sort();
    hits.truncate(3);
    hits
}

impl Expression {
    /// The next time the schedule fires strictly after `after`. `start` is
    /// when a rate schedule began (it fires every interval from then on).
    pub fn next_after(
        &self,
        tz: &TimeZone,
        start: Timestamp,
        after: Timestamp,
    ) -> Option<Timestamp> {
        match self {
            Expression::Rate { value, unit } => {
                let every = (value * unit.seconds()) as i64;
                let elapsed = after.as_second() - start.as_second();
                let n = if elapsed < 0 { 1 } else { elapsed / every + 1 };
                Timestamp::from_second(start.as_second().checked_add(n.checked_mul(every)?)?).ok()
            }
            Expression::At(dt) => {
                let at = tz.to_timestamp(*dt).ok()?;
                (at > after).then_some(at)
            }
            Expression::Cron(c) => {
                let mut local = tz.to_datetime(after);
                loop {
                    let civil = c.next_civil(local)?;
                    let at = tz.to_timestamp(civil).ok()?;
                    if at > after {
                        return Some(at);
                    }
                    // A civil time repeated by a clock change: look past it.
                    local = civil.checked_add(jiff::Span::new().minutes(1)).ok()?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(expr: &str, tz: &str, after: &str) -> String {
        let e = parse(expr).unwrap();
        let tz = time_zone(tz).unwrap();
        e.next_after(&tz, ts(after), ts(after)).unwrap().to_string()
    }

    #[test]
    fn daily_cron_in_a_zone() {
        // 03:00 in Paris is 02:00 UTC in winter.
        assert_eq!(
            next("cron(0 3 * * ? *)", "Europe/Paris", "2026-01-10T12:00:00Z"),
            "2026-01-11T02:00:00Z"
        );
        assert_eq!(
            next("cron(0 3 * * ? *)", "Europe/Paris", "2026-07-10T12:00:00Z"),
            "2026-07-11T01:00:00Z"
        );
    }

    #[test]
    fn steps_ranges_and_names() {
        assert_eq!(
            next(
                "cron(*/15 9-17 ? * MON-FRI *)",
                "UTC",
                "2026-11-27T17:50:00Z"
            ),
            "2026-11-30T09:00:00Z"
        );
        assert_eq!(
            next("cron(0 12 L * ? *)", "UTC", "2026-02-01T00:00:00Z"),
            "2026-02-28T12:00:00Z"
        );
        // The second Tuesday of December 2026 is the 8th.
        assert_eq!(
            next("cron(0 8 ? DEC 3#2 2026)", "UTC", "2026-01-01T00:00:00Z"),
            "2026-12-08T08:00:00Z"
        );
        // The last Friday of November 2026 is the 27th.
        assert_eq!(
            next("cron(30 6 ? 11 6L *)", "UTC", "2026-11-01T00:00:00Z"),
            "2026-11-27T06:30:00Z"
        );
        // 1 August 2026 is a Saturday: 1W is Monday the 3rd.
        assert_eq!(
            next("cron(0 0 1W 8 ? *)", "UTC", "2026-07-01T00:00:00Z"),
            "2026-08-03T00:00:00Z"
        );
    }

    #[test]
    fn rates_count_from_the_start() {
        let e = parse("rate(5 minutes)").unwrap();
        let start = ts("2026-01-01T00:00:00Z");
        let got = e
            .next_after(&TimeZone::UTC, start, ts("2026-01-01T00:07:00Z"))
            .unwrap();
        assert_eq!(got.to_string(), "2026-01-01T00:10:00Z");
    }

    #[test]
    fn refusals_name_the_field() {
        assert_eq!(parse_cron("0 3 * * *"), Err(CronError::FieldCount(5)));
        assert!(matches!(
            parse_cron("60 3 * * ? *"),
            Err(CronError::Range {
                field: "minutes",
                ..
            })
        ));
        assert!(matches!(
            parse_cron("0 3 * FOO ? *"),
            Err(CronError::Syntax { field: "month", .. })
        ));
        assert_eq!(
            parse_cron("0 3 * * MON *"),
            Err(CronError::DayFields { both: true })
        );
        assert_eq!(
            parse_cron("0 3 ? * ? *"),
            Err(CronError::DayFields { both: false })
        );
        assert_eq!(parse_cron("0 0 30 2 ? *"), Err(CronError::Never));
        assert!(matches!(
            parse_cron("0 0 ? * 2#6 *"),
            Err(CronError::Range { .. })
        ));
        assert!(parse_cron("0 0 1 1 ? 2300").is_err());
    }

    #[test]
    fn zones_come_from_the_tz_database() {
        assert!(time_zone("America/New_York").is_some());
        assert!(time_zone("UTC").is_some());
        assert!(time_zone("Mars/Olympus").is_none());
        assert!(time_zone("../etc/passwd").is_none());
        assert_eq!(similar_zones("europe/paris"), ["Europe/Paris"]);
        assert_eq!(similar_zones("Europe/Pariss"), ["Europe/Paris"]);
    }

    #[test]
    fn clock_changes_follow_the_zone() {
        // 8 March 2026: New York skips 02:00-03:00; a 02:30 run happens at
        // 03:30 EDT (07:30 UTC), and the next day at 02:30 EDT (06:30 UTC).
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "America/New_York",
                "2026-03-08T05:00:00Z"
            ),
            "2026-03-08T07:30:00Z"
        );
        assert_eq!(
            next(
                "cron(30 2 * * ? *)",
                "America/New_York",
                "2026-03-08T08:00:00Z"
            ),
            "2026-03-09T06:30:00Z"
        );
        // A one-time schedule fires once, in its zone.
        let at = parse("at(2026-12-01T09:30:00)").unwrap();
        let tz = time_zone("Asia/Tokyo").unwrap();
        let start = ts("2026-11-30T00:00:00Z");
        assert_eq!(
            at.next_after(&tz, start, start).unwrap().to_string(),
            "2026-12-01T00:30:00Z"
        );
        assert_eq!(at.next_after(&tz, start, ts("2026-12-01T00:30:00Z")), None);
    }

    #[test]
    fn at_is_exact() {
        assert!(parse("at(2026-12-01T09:30:00)").is_ok());
        assert!(parse("at(2026-02-30T09:30:00)").is_err());
        assert!(parse("at(2026-12-01 09:30)").is_err());
    }
}
