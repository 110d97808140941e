//! A structured fuzzer over the parser, the checker, the formatter and the
//! three backends that runs on stable in CI for a bounded time. A seeded
//! generator writes whole programs from Wharf's own vocabulary (constants
//! that refer to each other, cycles and doubling included, inputs,
//! clusters, tasks, containers, services, load balancers), draws values
//! from good and hostile pools (huge, negative and fractional numbers, deep
//! nesting, long strings, credentials, BOMs, control characters) and then
//! mutates some cases byte-wise. Every case must end without a panic, stack
//! overflow or hang; a failure must carry an error diagnostic with a code
//! and spans inside their file.
//!
//! `WHARF_FUZZ_SEED`, `WHARF_FUZZ_CASES` and `WHARF_FUZZ_SECONDS` run other
//! or longer campaigns; the defaults keep CI runs identical and short.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wharf::check::{self, Options};
use wharf::diag::{render, Diagnostic, SourceMap};
use wharf::emit;
use wharf::syntax;

/// xorshift64*: small, deterministic.
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

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "80",
    "443",
    "1024",
    "65535",
    "65536",
    "-1",
    "0.5",
    "1.5",
    "2147483647",
    "2147483648",
    "4294967296",
    "99999999999999999999",
];
const UNITS: &[&str] = &[
    "", "s", "m", "h", "ms", "MiB", "GiB", "vcpu", "%", "units", "x",
];
const WORDS: &[&str] = &[
    "on",
    "off",
    "awsvpc",
    "bridge",
    "fargate",
    "ec2",
    "tcp",
    "udp",
    "awslogs",
    "splunk",
    "HEALTHY",
    "START",
    "spread",
    "binpack",
    "az",
    "public",
    "rollback",
    "not_secret",
    "x86_64",
];
const STRINGS: &[&str] = &[
    "nginx:1.27",
    "public.ecr.aws/acme/api:${TAG}",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    "/ecs/web",
    "us-east-1",
    "subnet-0a1b2c3d",
    "",
    "yes",
    "https://auth.example.com/token",
    "AKIAIOSFODNN7EXAMPLE",
    "postgres://u:pw@db/app",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "-----BEGIN PRIVATE KEY-----",
    "hunter2",
    "nul\u{0}char",
    "é🐋",
    "${A}${A}${B}",
];
const CONTAINER_LINES: &[&str] = &[
    "image V",
    "essential V",
    "cpu V",
    "memory V",
    "memory_reservation V",
    "port V",
    "port V host V",
    "env NAME = V",
    "env NAME not_secret = V",
    "secret NAME = secretsmanager(V, key: V)",
    "secret NAME = ssm(V)",
    "health V every V timeout V retries V grace V",
    "logs awslogs group V retention V",
    "logs splunk { \"splunk-token\" = V; \"splunk-url\" = V }",
    "command [V, V]",
    "entrypoint V",
    "workdir V",
    "user V",
    "readonly",
    "depends_on NAME V",
    "stop_timeout V",
    "start_timeout V",
    "ulimit nofile V V",
    "label NAME = V",
];
const TASK_LINES: &[&str] = &[
    "cpu V",
    "memory V",
    "network V",
    "compat V",
    "storage V",
    "allow [V] on [V]",
    "allow V on V",
    "arch V",
    "volume NAME",
];
const SERVICE_LINES: &[&str] = &[
    "task NAME",
    "count V",
    "grace V",
    "autoscale V cpu V",
    "autoscale 1..V requests V cooldown V",
    "subnets [V]",
    "deploy min V max V",
    "expose NAME via NAME",
    "public_ip V",
];

fn names(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "A",
        "B",
        "C",
        "web",
        "app",
        "db",
        "prod",
        "DB_PASSWORD",
        "API_KEY",
        "TAG",
    ])
}

/// One value: a number with a unit, a string, a name, a list, a map, a
/// range, a call, or a nest of brackets up to 100 deep.
fn value(rng: &mut Rng, depth: usize) -> String {
    // Mostly plain values, so most cases get past the parser.
    let roll = rng.below(100);
    let kind = match roll {
        0..=24 => 0,
        25..=50 => 1,
        51..=66 => 2,
        67..=82 => 3,
        83..=89 => 4,
        90 => 5,
        91..=94 => 6,
        95..=98 => 7,
        // A deep nest (past the limit half the time): rare, as one per
        // program makes the whole program a parse error.
        _ if rng.chance(15) => 8,
        _ => 1,
    };
    match if depth > 2 { kind % 4 } else { kind } {
        0 => format!("{}{}", rng.pick(NUMBERS), rng.pick(UNITS)),
        1 => format!("\"{}\"", rng.pick(STRINGS)),
        2 => rng.pick(WORDS).to_string(),
        3 => names(rng).to_string(),
        4 => format!("[{}, {}]", value(rng, depth + 1), value(rng, depth + 1)),
        5 => format!("{{ k: {} }}", value(rng, depth + 1)),
        6 => format!("{}..{}", rng.pick(NUMBERS), rng.pick(NUMBERS)),
        7 => format!(
            "f({}, key: {})",
            value(rng, depth + 1),
            value(rng, depth + 1)
        ),
        _ => {
            let n = rng.below(100);
            let open = rng.pick(&["[", "{a: ", "f("]);
            let close = match open {
                "[" => "]",
                "f(" => ")",
                _ => "}",
            };
            format!("{}1{}", open.repeat(n), close.repeat(n))
        }
    }
}

/// Replaces each `V` with a value and `NAME` with a name.
fn fill(rng: &mut Rng, template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("NAME") {
            out.push_str(names(rng));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('V') {
            out.push_str(&value(rng, 0));
            rest = r;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `head {` and up to `max - 1` lines drawn from `lines` (not closed).
fn block(rng: &mut Rng, head: &str, lines: &[&str], max: usize) -> String {
    let mut s = format!("{head} {{\n");
    for _ in 0..rng.below(max) {
        let line = rng.pick(lines);
        s.push_str("  ");
        s.push_str(&fill(rng, line));
        s.push('\n');
    }
    s
}

/// A whole program.
fn program(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(3) {
        s.push('\u{FEFF}');
    }
    let lets = rng.below(8);
    for i in 0..lets {
        let v = match rng.below(4) {
            // Chains, cycles and doubling among the constants.
            0 => format!("\"${{L{}}}${{L{}}}\"", rng.below(lets), rng.below(lets)),
            1 => format!("L{}", rng.below(lets)),
            2 => format!("\"x${{L{}}}\"", (i + 1) % lets.max(1)),
            _ => value(rng, 0),
        };
        s.push_str(&format!("let L{i} = {v}\n"));
    }
    for _ in 0..rng.below(3) {
        let ty = rng.pick(&["", ": string", ": int", ": bool", ": subnets", ": vpc_id"]);
        let default = if rng.chance(60) {
            format!(" = {}", value(rng, 0))
        } else {
            String::new()
        };
        s.push_str(&format!("input {}{ty}{default}\n", names(rng)));
    }
    if rng.chance(30) {
        s.push_str(&format!("stack {}\n", value(rng, 0)));
    }
    if rng.chance(50) {
        s.push_str("cluster prod { capacity FARGATE weight 1 }\n");
    }
    for t in 0..rng.below(3) {
        let mut task = block(rng, &format!("task t{t}"), TASK_LINES, 4);
        for c in 0..1 + rng.below(2) {
            let mut container = block(rng, &format!("  container c{c}"), CONTAINER_LINES, 8);
            if rng.chance(80) {
                container.push_str("    image \"nginx:1.27\"\n");
            }
            container.push_str("  }\n");
            task.push_str(&container);
        }
        task.push_str("}\n");
        s.push_str(&task);
    }
    for i in 0..rng.below(2) {
        let mut svc = block(rng, &format!("service s{i} in prod"), SERVICE_LINES, 5);
        // Most services name what the ECS target needs to build them (it
        // refuses an awsvpc service without security groups, E0520).
        if rng.chance(70) {
            svc.push_str("  subnets [\"subnet-0123456789abcdef0\"]\n");
            svc.push_str("  security_groups [\"sg-0123456789abcdef0\"]\n");
        }
        svc.push_str("  task t0\n}\n");
        s.push_str(&svc);
    }
    if rng.chance(20) {
        s.push_str(&fill(rng, "alb edge { public; listener V http }\n"));
    }
    s
}

/// The examples, the valid programs the value swaps start from.
fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wharf"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A valid program with one to three of its strings or numbers replaced by
/// a value from the pools: reaches the backends with hostile values.
fn swap_values(rng: &mut Rng, text: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let b = text.as_bytes();
        // Starts of strings and of numbers not inside a word.
        let starts: Vec<usize> = (0..b.len())
            .filter(|&i| {
                b[i] == b'"'
                    || (b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()))
            })
            .collect();
        if starts.is_empty() {
            break;
        }
        let at = starts[rng.below(starts.len())];
        let end = if b[at] == b'"' {
            text[at + 1..].find('"').map_or(text.len(), |e| at + 2 + e)
        } else {
            at + text[at..]
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '%')
                .unwrap_or(text.len() - at)
        };
        let new = if b[at] == b'"' {
            format!("\"{}\"", rng.pick(STRINGS))
        } else {
            format!("{}{}", rng.pick(NUMBERS), rng.pick(UNITS))
        };
        text.replace_range(at..end, &new);
    }
    text
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte-level mutation: junk inserted, a range deleted or repeated.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let at = floor_boundary(text, rng.below(text.len() + 1));
    let to = floor_boundary(text, at + rng.below(40));
    match rng.below(3) {
        0 => {
            let junk = rng.pick(&[
                "{", "}", "[", "\"", "${", "\n", "=", "..", "\u{0}", "{{{{{{{{", "é",
            ]);
            format!("{}{junk}{}", &text[..at], &text[at..])
        }
        1 => format!("{}{}", &text[..at], &text[to..]),
        _ => format!(
            "{}{}{}",
            &text[..to],
            &text[at..to].repeat(rng.below(20)),
            &text[to..]
        ),
    }
}

/// How far a case got: 0 parse error, 1 check error, 2 emit error, 3 built.
type Reached = usize;

/// Parse, check, format, emit: a problem if a property fails.
fn run_case(text: &str) -> Result<Reached, String> {
    // The formatter reads any text; it must not fail on it.
    let _ = wharf::fmt::format(text);
    let mut sources = SourceMap::new();
    let id = sources.add("case.wharf", text);
    let (reached, diags): (Reached, Vec<Diagnostic>) = match syntax::parse(sources.get(id)) {
        Err(diags) => {
            if std::env::var("WHARF_FUZZ_DUMP").is_ok() {
                eprintln!("PARSE {}: {}", diags[0].code, diags[0].message);
            }
            (0, diags)
        }
        Ok(file) => {
            let (std_files, stdlib, _) = wharf::stdlib::load(&mut sources);
            let files: Vec<_> = std::iter::once(file).chain(std_files).collect();
            let options = Options {
                name: "case".to_string(),
                stdlib,
                ..Options::default()
            };
            match check::check(&files, &options) {
                (Some(program), _) => {
                    let mut diags = Vec::new();
                    for result in [
                        emit::ecs::emit_ecs(&program),
                        emit::local::emit_local(&program),
                        emit::cloudformation::emit_cloudformation(
                            &program,
                            emit::cloudformation::Format::Json,
                        ),
                    ] {
                        if let Err(d) = result {
                            if d.is_empty() {
                                return Err("a backend failed without a diagnostic".into());
                            }
                            diags.extend(d);
                        }
                    }
                    if diags.is_empty() {
                        return Ok(3);
                    }
                    (2, diags)
                }
                (None, diags) => (1, diags),
            }
        }
    };
    if !diags.iter().any(Diagnostic::is_error) {
        return Err("failed without an error diagnostic".into());
    }
    for d in &diags {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let file = &sources.get(label.span.file).text;
            if label.span.start > label.span.end || label.span.end as usize > file.len() {
                return Err(format!("{}: span outside its file", d.code));
            }
        }
    }
    let rendered = render::human(&sources, &diags, false);
    if !rendered.contains(diags[0].code.as_str()) {
        return Err("rendered diagnostics lack their code".into());
    }
    Ok(reached)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_programs_never_crash_or_hang() {
    let seed = env_number("WHARF_FUZZ_SEED", 0x0F0F_5EED_2026_0007);
    let cases = env_number("WHARF_FUZZ_CASES", 2500) as usize;
    let budget = Duration::from_secs(env_number("WHARF_FUZZ_SECONDS", 25));
    let (tx, rx) = mpsc::channel();
    // The case being run, to show if it hangs.
    let current = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let shared = current.clone();
    // The binary runs on the main thread (8 MiB of stack); so do these.
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let mut rng = Rng(seed);
            let examples = examples();
            let started = Instant::now();
            let (mut ran, mut slowest) = (0usize, (Duration::ZERO, String::new()));
            let mut reached = [0usize; 4];
            let mut failure = None;
            while ran < cases && started.elapsed() < budget {
                let mut text = if rng.chance(40) {
                    let e = &examples[rng.below(examples.len())];
                    swap_values(&mut rng, e)
                } else {
                    program(&mut rng)
                };
                if rng.chance(25) {
                    text = mutate(&mut rng, &text);
                }
                *shared.lock().unwrap() = text.clone();
                let t0 = Instant::now();
                let result = catch_unwind(AssertUnwindSafe(|| run_case(&text)));
                let took = t0.elapsed();
                if took > slowest.0 {
                    slowest = (took, text.clone());
                }
                ran += 1;
                let problem = match result {
                    Ok(Ok(r)) => {
                        reached[r] += 1;
                        continue;
                    }
                    Ok(Err(e)) => e,
                    Err(_) => "panicked".to_string(),
                };
                failure = Some(format!("case {ran}: {problem}\n----- input\n{text}\n-----"));
                break;
            }
            tx.send((ran, slowest, failure, reached)).unwrap();
        })
        .unwrap();
    let Ok((ran, slowest, failure, reached)) = rx.recv_timeout(budget + Duration::from_secs(60))
    else {
        let text = current.lock().unwrap().clone();
        panic!("a case hung:\n----- input\n{text}\n-----");
    };
    if let Some(f) = failure {
        panic!("{f}");
    }
    assert!(ran >= 300, "only {ran} cases ran in the budget");
    eprintln!("fuzz: {ran} cases, reached {reached:?} (parse, check, emit errors, built)");
    // The generator must reach every stage, not stop at the parser.
    let [parse, check, emit, built] = reached;
    // Reaching the backends is what counts: one that refuses what it cannot
    // express (the ECS target without security groups, E0520) still ran.
    assert!(
        check > ran / 5 && emit + built > ran / 20 && built > 0,
        "parse errors {parse}, check errors {check}, emit errors {emit}, built {built}"
    );
    assert!(
        slowest.0 < Duration::from_secs(5),
        "one case took {:?}:\n{}",
        slowest.0,
        &slowest.1[..slowest.1.len().min(2000)]
    );
}
