//! Bad input never panics and never hangs. Every example and fixture is cut
//! at many byte offsets and mutated with junk characters, deleted ranges,
//! swapped words and repeated lines (a seeded generator, so every run sees
//! the same few thousand cases). Each case goes through parse, check and
//! the renderer; a failure must come with diagnostics whose spans lie in
//! their file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wharf::check::{self, Options};
use wharf::diag::{render, Diagnostic, SourceMap};
use wharf::syntax;

/// xorshift64*: small, deterministic, good enough to pick offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const JUNK: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "=",
    ":",
    ",",
    ";",
    "..",
    "${",
    "$",
    "\\",
    "/*",
    "*/",
    "//",
    "\n",
    "-",
    "%",
    "é",
    "\u{0}",
    "\t",
    "0",
    "-1",
    "99999999999999999999",
    "0.",
    "1e9",
    "vcpu",
    "GiB",
    "s",
    "MiB",
    "task",
    "container",
    "service",
    "in",
    "via",
    "app:",
    "\u{1F40B}",
];

const EDGE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "-0",
    "0.0",
    "0.5",
    "1",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999",
    "1.999999999",
    "00000",
];

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures/errors",
        "tests/fixtures/imports",
        "tests/fixtures/bad",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "wharf"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p.strip_prefix(root).unwrap().display().to_string(), text));
        }
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Mutated versions of one source: truncations first, then random edits.
fn mutations(text: &str, rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    let len = text.len();
    // Truncations at up to 40 evenly spread offsets, and near the end.
    let step = (len / 40).max(1);
    for cut in (0..len).step_by(step).chain(len.saturating_sub(3)..len) {
        out.push(text[..floor_boundary(text, cut)].to_string());
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let lines: Vec<&str> = text.lines().collect();
    let numbers: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| {
            c.is_ascii_digit() && !text[..i].ends_with(|p: char| p.is_ascii_alphanumeric())
        })
        .map(|(i, _)| i)
        .collect();
    for _ in 0..40 {
        let at = floor_boundary(text, rng.below(len + 1));
        let mutated = match rng.below(6) {
            5 if !numbers.is_empty() => {
                // An edge value in place of a number, keeping its unit.
                let start = numbers[rng.below(numbers.len())];
                let end = start
                    + text[start..]
                        .find(|c: char| !c.is_ascii_digit() && c != '.')
                        .unwrap_or(text.len() - start);
                let edge = EDGE_NUMBERS[rng.below(EDGE_NUMBERS.len())];
                format!("{}{edge}{}", &text[..start], &text[end..])
            }
            0 => {
                let junk = JUNK[rng.below(JUNK.len())];
                format!("{}{junk}{}", &text[..at], &text[at..])
            }
            1 => {
                let end = floor_boundary(text, at + rng.below(12));
                format!("{}{}", &text[..at], &text[end..])
            }
            2 if words.len() > 1 => {
                let (i, j) = (rng.below(words.len()), rng.below(words.len()));
                let mut w = words.clone();
                w.swap(i, j);
                w.join(" ")
            }
            3 if !lines.is_empty() => {
                let i = rng.below(lines.len());
                let mut l = lines.clone();
                l.insert(i, lines[i]);
                l.join("\n")
            }
            _ => {
                // Several junk insertions at once.
                let mut s = text.to_string();
                for _ in 0..4 {
                    let at = floor_boundary(&s, rng.below(s.len() + 1));
                    s.insert_str(at, JUNK[rng.below(JUNK.len())]);
                }
                s
            }
        };
        out.push(mutated);
    }
    out
}

/// How far a case got.
#[derive(Clone, Copy, PartialEq)]
enum Reached {
    ParseError,
    CheckError,
    Compiled,
}

/// Parses, checks and renders one source; an error message if a property fails.
fn run_case(text: &str) -> Result<Reached, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("case.wharf", text);
    let (reached, diags): (Reached, Vec<Diagnostic>) = match syntax::parse(sources.get(id)) {
        Err(diags) => (Reached::ParseError, diags),
        Ok(file) => {
            let options = Options {
                name: "case".to_string(),
                ..Options::default()
            };
            match check::check(&[file], &options) {
                (Some(_), _) => return Ok(Reached::Compiled),
                (None, diags) => (Reached::CheckError, diags),
            }
        }
    };
    if !diags.iter().any(Diagnostic::is_error) {
        return Err("failed without an error diagnostic".to_string());
    }
    for d in &diags {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let file = &sources.get(label.span.file).text;
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            if start > end || end > file.len() {
                return Err(format!(
                    "{}: span {start}..{end} outside a file of {} bytes",
                    d.code,
                    file.len()
                ));
            }
        }
    }
    let text = render::human(&sources, &diags, false);
    if !text.contains(diags[0].code.as_str()) {
        return Err("rendered diagnostics lack their code".to_string());
    }
    render::json(&sources, &diags);
    Ok(reached)
}

/// Runs every case on a worker thread so a hang fails the test instead of
/// blocking it. Returns how many cases reached each stage.
fn fuzz(cases: Vec<(String, String)>) -> [usize; 3] {
    let n = cases.len();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut failures = Vec::new();
        let mut reached = [0usize; 3];
        let mut slowest = (Duration::ZERO, String::new());
        for (name, text) in &cases {
            let started = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| run_case(text)));
            let took = started.elapsed();
            if took > slowest.0 {
                slowest = (took, name.clone());
            }
            let problem = match result {
                Ok(Ok(r)) => {
                    reached[r as usize] += 1;
                    continue;
                }
                Ok(Err(e)) => e,
                Err(_) => "panicked".to_string(),
            };
            failures.push(format!("{name}: {problem}\n----- input\n{text}\n-----"));
        }
        tx.send((failures, slowest, reached)).unwrap();
    });
    let (failures, slowest, reached) = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the cases did not finish in 120 s: a hang");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
    // Generous: debug builds, parallel tests; a real hang hits the timeout above.
    assert!(
        slowest.0 < Duration::from_secs(10),
        "one case took {:?}: {}",
        slowest.0,
        slowest.1
    );
    reached
}

#[test]
fn mutated_sources_never_panic() {
    // WHARF_FUZZ_SEED=n explores other cases; the default keeps runs identical.
    let seed = std::env::var("WHARF_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0F3A_1120_26AA);
    let mut rng = Rng(seed);
    let mut cases = Vec::new();
    for (name, text) in corpus() {
        for (i, m) in mutations(&text, &mut rng).into_iter().enumerate() {
            cases.push((format!("{name} #{i}"), m));
        }
    }
    let n = cases.len();
    let [parse, check, compiled] = fuzz(cases);
    assert!(n > 2000, "only {n} cases");
    // The mutations must reach the checker, not only the parser.
    assert!(
        check > n / 5 && compiled > 0,
        "parse errors {parse}, check errors {check}, compiled {compiled}"
    );
}

/// Inputs no mutation of a realistic file produces.
#[test]
fn pathological_sources_never_panic() {
    let cases = [
        String::new(),
        "\n\n\n".to_string(),
        "}".repeat(100),
        "{".repeat(100),
        format!("let a = {}", "[".repeat(5000)),
        format!("let a = {}{}", "[".repeat(5000), "]".repeat(5000)),
        format!("task a {}", "{".repeat(2000)),
        "\"".repeat(1001),
        "task\u{0} web { container app { image \"\u{0}\" } }".to_string(),
        "task web { container app { image \"a\" } }\r\n".repeat(50),
        "x".repeat(20_000),
        "let a = \"${a}\"\nlet b = \"${b}${a}\"\ntask t { cpu 1vcpu; memory 2GiB; container c { image \"${b}\" } }".to_string(),
        "task t { cpu 99999999999999999999vcpu; memory 99999999999999999999GiB; container c { image \"x\"; port -1; memory -5MiB } }".to_string(),
        "service s { autoscale 99999999999..0; count 99999999999 }".to_string(),
        // Container sizes whose sum overflowed u32 (found by this test).
        "task t { cpu 1vcpu; memory 2GiB; container a { image \"x\"; memory 4294967295MiB; cpu 4294967295 }; sidecar b { image \"x\"; memory 64MiB; cpu 64 } }".to_string(),
    ];
    let [parse, check, compiled] = fuzz(
        cases
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("pathological #{i}"), t))
            .collect(),
    );
    assert_eq!(parse + check + compiled, 15);
}
