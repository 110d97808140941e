//! `wharf logs [-f] [-n N] [--since WHEN] [--until WHEN] [-t] [-p NAME] [SERVICE]`, like
//! `docker compose logs`: the project's log lines from
//! `.wharf/<project>/logs.jsonl` and its rotated files (`logs.jsonl.N`,
//! oldest first), prefixed per task and container like `wharf up`. `-n`
//! keeps the last N lines of each container, `--since` and `--until` keep
//! the lines of a time window, `-t` shows each line's time; `-f` then
//! follows the current file, across rotations, until the runner stops.
//! Colour follows stdout, not stderr.

use super::up::{format_record, parse_duration, read_snapshot, ProjectArgs};
use super::{Context, Exit};
use crate::runner::project::live_runner;
use crate::runner::LogRecord;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct LogsCommand {
    /// Only this service's lines.
    pub service: Option<String>,
    /// Keep printing new lines until the runner stops.
    #[arg(short, long)]
    pub follow: bool,
    /// Only the last N lines of each container (`all`: every line).
    #[arg(short = 'n', long, value_name = "N", default_value = "all", value_parser = parse_tail)]
    pub tail: Tail,
    /// Only lines since WHEN: a duration back from now (`90s`, `10m`, `2h`),
    /// an RFC 3339 time (`2026-01-02T15:04:05Z`, `...+02:00`; UTC when it has
    /// no offset; a date alone is its midnight UTC) or Unix seconds (`1767366245`).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Only lines before WHEN (the same forms as --since).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub until: Option<Since>,
    /// Show each line's time (RFC 3339, UTC, milliseconds) after the prefix.
    #[arg(short, long)]
    pub timestamps: bool,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `--tail`: how many of each container's last lines (`None`: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tail(pub Option<usize>);

fn parse_tail(s: &str) -> Result<Tail, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(Tail(None));
    }
    s.parse()
        .map(|n| Tail(Some(n)))
        .map_err(|_| format!("`{s}` is not a number of lines (or `all`)"))
}

/// `--since`: a time before now, or a point in time (ms since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    Ago(Duration),
    At(i64),
}

impl Since {
    /// The first millisecond (since the epoch) a line may have.
    fn first_ms(self, now_ms: i64) -> i64 {
        match self {
            Since::Ago(d) => {
                now_ms.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            }
            Since::At(ms) => ms,
        }
    }
}

fn parse_since(s: &str) -> Result<Since, String> {
    let s = s.trim();
    if let Some(ms) = parse_rfc3339(s) {
        return Ok(Since::At(ms));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s
            .parse()
            .map_err(|_| format!("`{s}` is too large for Unix seconds"))?;
        return secs
            .checked_mul(1000)
            .map(Since::At)
            .ok_or_else(|| format!("`{s}` is too large for Unix seconds"));
    }
    compound_duration(s).map(Since::Ago).ok_or_else(|| {
        format!("`{s}` is neither a duration (10m, 1h30m), an RFC 3339 time (2026-01-02T15:04:05Z) nor Unix seconds")
    })
}

/// `10m`, or parts like Go's (and docker's) `1h30m`, `2m30s`: each part a
/// number with its unit, summed.
fn compound_duration(s: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let unit = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| digits + i);
        if digits == 0 || unit == digits {
            return None;
        }
        total = total.checked_add(parse_duration(&rest[..unit]).ok()?)?;
        rest = &rest[unit..];
    }
    (!s.is_empty()).then_some(total)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM]` (`T` or a
/// space; UTC without an offset), as milliseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    fn num(s: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let n = s
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())??;
        range.contains(&n).then_some(n)
    }
    let date = s.get(..10)?;
    let (y, m, d) = (date.get(..4)?, date.get(5..7)?, date.get(8..10)?);
    if date.as_bytes()[4] != b'-' || date.as_bytes()[7] != b'-' {
        return None;
    }
    let (y, m) = (num(y, 0..=9999)?, num(m, 1..=12)?);
    let d = num(d, 1..=days_in_month(y, m))?;
    let days = days_from_civil(y, m, d);
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(days * 86_400_000);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hh, mm, ss) = (rest.get(..2)?, rest.get(3..5)?, rest.get(6..8)?);
    if rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
        return None;
    }
    let secs = num(hh, 0..=23)? * 3600 + num(mm, 0..=59)? * 60 + num(ss, 0..=60)?;
    let mut rest = &rest[8..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let ms = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = ms.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = (rest.get(1..3)?, rest.get(4..6)?);
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (num(oh, 0..=23)? * 3600 + num(om, 0..=59)? * 60)
        }
    };
    Some((days * 86_400 + secs - offset) * 1000 + millis)
}

/// `2026-11-30T08:54:55.123Z`.
pub fn format_rfc3339(ms: u64) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let s = in_day / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        in_day % 1000
    )
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Rotated files of `path`, oldest (highest number) first. A rotation in
/// progress renames them one by one, so one missing number is passed over.
fn rotated_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = Vec::new();
    let mut missing = 0;
    for n in 1.. {
        let p = crate::runner::rotated_log(path, n);
        if p.exists() {
            missing = 0;
            found.push(p);
        } else {
            missing += 1;
            if missing > 1 {
                break;
            }
        }
    }
    found.reverse();
    found
}

/// Opens the current log file, waiting a moment when a rotation has just
/// renamed it and not yet made the new one.
fn open_current(path: &Path) -> std::io::Result<std::fs::File> {
    let mut tries = 0;
    loop {
        match std::fs::File::open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 25 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Per task and container, its last records with their place in the output.
type Kept = HashMap<(String, String), VecDeque<(u64, LogRecord)>>;

/// Where wanted records go: straight to the output, or, with `--tail N`,
/// into the last N of their container until the past has been read.
struct Printer<'a, W: Write> {
    cmd: &'a LogsCommand,
    out: W,
    color: bool,
    first_ms: Option<i64>,
    /// `--until`: the first millisecond that is too late.
    end_ms: Option<i64>,
    /// `--tail`: per task and container, its last lines with their order.
    kept: Option<(usize, Kept)>,
    seen: u64,
}

impl<W: Write> Printer<'_, W> {
    /// Takes one line of the log file; `Err` once stdout is gone (`| head`).
    fn take(&mut self, line: &str) -> Result<(), Exit> {
        let Ok(r) = serde_json::from_str::<LogRecord>(line) else {
            return Ok(());
        };
        let ts = i64::try_from(r.ts).unwrap_or(i64::MAX);
        if self.cmd.service.as_ref().is_some_and(|s| *s != r.service)
            || self.first_ms.is_some_and(|first| ts < first)
            || self.end_ms.is_some_and(|end| ts >= end)
        {
            return Ok(());
        }
        match &mut self.kept {
            Some((n, kept)) => {
                let n = *n;
                let q = kept
                    .entry((r.task.clone(), r.container.clone()))
                    .or_default();
                q.push_back((self.seen, r));
                self.seen += 1;
                if q.len() > n {
                    q.pop_front();
                }
                Ok(())
            }
            None => self.print(&r),
        }
    }

    fn print(&mut self, r: &LogRecord) -> Result<(), Exit> {
        let text = if self.cmd.timestamps {
            let mut r = r.clone();
            r.line = format!("{} {}", format_rfc3339(r.ts), r.line);
            format_record(&r, self.color)
        } else {
            format_record(r, self.color)
        };
        writeln!(self.out, "{text}").map_err(|_| Exit::Code(0))
    }

    /// The past has been read: print what `--tail` kept, in file order,
    /// and print every later line at once.
    fn past_read(&mut self) -> Result<(), Exit> {
        if let Some((_, kept)) = self.kept.take() {
            let mut all: Vec<(u64, LogRecord)> = kept.into_values().flatten().collect();
            all.sort_unstable_by_key(|(seq, _)| *seq);
            for (_, r) in &all {
                self.print(r)?;
            }
        }
        self.out.flush().map_err(|_| Exit::Code(0))
    }
}

impl LogsCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        match self.show(ctx) {
            // The reader went away (`wharf logs | head`): not an error.
            Err(Exit::Code(0)) => Ok(()),
            other => other,
        }
    }

    /// A service the run does not have is an error, not an empty output.
    fn check_service(&self, ctx: &Context, project: &str, state: &Path) -> Result<(), Exit> {
        let (Some(service), Some(snap)) = (&self.service, read_snapshot(state)) else {
            return Ok(());
        };
        if snap.services.iter().any(|s| s.name == *service) {
            return Ok(());
        }
        let names: Vec<&str> = snap.services.iter().map(|s| s.name.as_str()).collect();
        ctx.report_error(
            crate::diag::Code::NoSuchService,
            &format!("the run of project `{project}` has no service `{service}`"),
            &format!(
                "its services: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ),
        );
        Err(Exit::InputErrors)
    }

    fn show(&self, ctx: &Context) -> Result<(), Exit> {
        let stdout = std::io::stdout();
        let (project, state) = self.project.resolve()?;
        self.check_service(ctx, &project, &state)?;
        let mut p = Printer {
            cmd: self,
            out: std::io::BufWriter::new(stdout.lock()),
            color: ctx.color_for(super::Stream::Stdout),
            first_ms: self.since.map(|s| s.first_ms(now_ms())),
            end_ms: self.until.map(|s| s.first_ms(now_ms())),
            kept: self.tail.0.map(|n| (n, HashMap::new())),
            seen: 0,
        };
        let path = state.join("logs.jsonl");
        let open = |p: &Path| {
            open_current(p).map_err(|e| {
                ctx.fail(&crate::diag::Diagnostics::about_file(
                    &p.display().to_string(),
                    crate::diag::Code::NoRun,
                    format!("no logs for project `{project}` ({e})"),
                    "log file",
                    "start a run with `wharf up`, or name the project with `-p`",
                ))
            })
        };
        // Every file is opened before any is read, and a file is read once
        // (by inode), so a rotation meanwhile neither hides nor repeats lines.
        let olds: Vec<std::fs::File> = rotated_files(&path)
            .iter()
            .filter_map(|old| std::fs::File::open(old).ok())
            .collect();
        let file = open(&path)?;
        let mut inode = file.metadata().map(|m| m.ino()).unwrap_or(0);
        let mut read_inodes = std::collections::HashSet::new();
        for f in olds {
            let ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
            if ino == inode || !read_inodes.insert(ino) {
                continue;
            }
            for line in BufReader::new(f).lines().map_while(Result::ok) {
                p.take(&line)?;
            }
        }
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut stopped = false;
        loop {
            line.clear();
            let n = reader.read_line(&mut line).unwrap_or(0);
            if n > 0 && line.ends_with('\n') {
                p.take(&line)?;
                continue;
            }
            p.past_read()?;
            if n > 0 {
                // A partial line: read it again once it is complete.
                let pos = reader
                    .stream_position()
                    .unwrap_or(0)
                    .saturating_sub(n as u64);
                let _ = reader.seek(SeekFrom::Start(pos));
            }
            if !self.follow {
                return Ok(());
            }
            // Rotated: what is left of the old file has been read; go on with the new one.
            let now = std::fs::metadata(&path).map(|m| m.ino()).unwrap_or(inode);
            if now != inode && n == 0 {
                if let Ok(f) = std::fs::File::open(&path) {
                    inode = now;
                    reader = BufReader::new(f);
                    continue;
                }
            }
            if stopped {
                return Ok(());
            }
            // Once the runner is gone, read what it wrote last, then stop.
            stopped = live_runner(&state).is_none();
            if !stopped {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-02"), Some(86_400_000));
        let ms = parse_rfc3339("2026-11-30T08:54:55.123Z").unwrap();
        assert_eq!(format_rfc3339(ms as u64), "2026-11-30T08:54:55.123Z");
        assert_eq!(
            parse_rfc3339("2026-11-30T10:54:55.123+02:00"),
            Some(ms),
            "an offset is subtracted"
        );
        assert_eq!(parse_rfc3339("2026-11-30 08:54:55.123456789"), Some(ms));
        assert_eq!(format_rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        for bad in [
            "2026-02-29",
            "2026-13-01T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T08:54",
            "2026-11-30T08:54:55.Z",
            "2026-11-30T08:54:55+2",
            "10m",
            "2026-11-30T08:54:55Zjunk",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn since_takes_durations_times_and_unix_seconds() {
        assert_eq!(parse_since("10m"), Ok(Since::Ago(Duration::from_secs(600))));
        assert_eq!(
            parse_since("1h30m5s"),
            Ok(Since::Ago(Duration::from_secs(5405)))
        );
        assert_eq!(
            parse_since("2m500ms"),
            Ok(Since::Ago(Duration::from_millis(120_500)))
        );
        for bad in ["m", "10", "1h30", "10x", "-5m", ""] {
            if bad == "10" {
                assert_eq!(
                    parse_since(bad),
                    Ok(Since::At(10_000)),
                    "plain digits are Unix seconds"
                );
            } else {
                assert!(parse_since(bad).is_err(), "{bad}");
            }
        }
        assert_eq!(parse_since("1767366245"), Ok(Since::At(1_767_366_245_000)));
        assert_eq!(parse_since("1970-01-01T00:00:01Z"), Ok(Since::At(1000)));
        assert!(parse_since("yesterday").is_err());
        assert!(parse_since("99999999999999999999").is_err());
        assert_eq!(Since::Ago(Duration::from_secs(1)).first_ms(5000), 4000);
    }

    #[test]
    fn tail_is_a_count_or_all() {
        assert_eq!(parse_tail("all"), Ok(Tail(None)));
        assert_eq!(parse_tail("3"), Ok(Tail(Some(3))));
        assert!(parse_tail("-1").is_err());
    }
}
