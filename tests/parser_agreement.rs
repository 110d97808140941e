//! The fast reader and the pest grammar must agree: wherever the fast reader
//! accepts a source, pest accepts it too and builds the identical tree, spans
//! included. Checked on every example and fixture, the benchmark program, and
//! many deterministic mutations of them (truncations, insertions, deletions).

use std::path::{Path, PathBuf};
use wharf::diag::SourceMap;
use wharf::syntax::{parse_fast, parse_with_pest};

#[allow(dead_code)]
#[path = "../benches/workload.rs"]
mod bench;

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "wharf") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("examples"), &mut files);
    walk(&root.join("tests/fixtures"), &mut files);
    walk(&root.join("stdlib"), &mut files);
    files.sort();
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    out.push(("bench(20)".into(), bench::program(20)));
    out.push((
        "edge cases".into(),
        "a 1 /* c */ = 2  \nb 2 .. 3 k : \"v\" c ( 1 , 2 , ) [\n 1 ,\n 2 ,\n ] // x\n\
         d \"x${ Y }z\\n\\$\" e.f g-h_1 { i 0.25vcpu; j -3 }\n\"h\" = { k : [1], \"l\": m(n: 1) }\r\n\
         o \\\n p\n/* multi\nline */ q\n"
            .into(),
    ));
    out
}

/// Checks the agreement property on one text; returns whether fast accepted.
fn agree(name: &str, text: &str) -> bool {
    let mut map = SourceMap::new();
    let id = map.add(name, text);
    let src = map.get(id);
    match parse_fast(src) {
        None => false,
        Some(fast) => match parse_with_pest(src) {
            Ok(slow) => {
                if fast != slow {
                    let (a, b) = (format!("{fast:#?}"), format!("{slow:#?}"));
                    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
                    let i = a
                        .iter()
                        .zip(&b)
                        .position(|(x, y)| x != y)
                        .unwrap_or(a.len().min(b.len()));
                    let from = i.saturating_sub(6);
                    panic!(
                        "fast and pest trees differ for {name}: {text:?}\n--- fast\n{}\n--- pest\n{}",
                        a[from..(i + 2).min(a.len())].join("\n"),
                        b[from..(i + 2).min(b.len())].join("\n")
                    );
                }
                true
            }
            Err(d) => panic!("fast reader accepted what pest rejects ({name}): {text:?}\n{d:?}"),
        },
    }
}

#[test]
fn fast_reader_takes_every_valid_source() {
    for (name, text) in sources() {
        let valid = parse_with_pest(&wharf::diag::SourceFile {
            id: Default::default(),
            name: name.clone(),
            text: text.clone(),
        })
        .is_ok();
        let fast = agree(&name, &text);
        assert_eq!(
            fast,
            valid,
            "{name}: pest {}, fast reader {}",
            if valid { "accepts" } else { "rejects" },
            if fast { "accepts" } else { "defers" }
        );
    }
}

#[test]
fn fast_reader_agrees_on_mutations() {
    // xorshift: deterministic, no dependency
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let junk = [
        "\"", "{", "}", "[", "]", "(", ")", ",", ":", ";", "\n", "..", "$", "${", "\\", "/*", "//",
        "-", "=", " ", "é", "1", "a",
    ];
    let mut accepted = 0;
    let mut total = 0;
    for (name, text) in sources() {
        let bytes = text.len();
        if bytes == 0 {
            continue;
        }
        for _ in 0..120 {
            let at = {
                let mut i = (next() % bytes as u64) as usize;
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let mutated = match next() % 3 {
                0 => text[..at].to_string(),
                1 => format!(
                    "{}{}{}",
                    &text[..at],
                    junk[(next() % junk.len() as u64) as usize],
                    &text[at..]
                ),
                _ => {
                    let mut end = (at + 1 + (next() % 8) as usize).min(bytes);
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    format!("{}{}", &text[..at], &text[end..])
                }
            };
            total += 1;
            if agree(&name, &mutated) {
                accepted += 1;
            }
        }
    }
    assert!(total > 1000, "too few mutations: {total}");
    assert!(
        accepted > 0,
        "no mutation was accepted; the property was never exercised"
    );
}
