//! One fixture per diagnostic code: `tests/fixtures/errors/E0xxx_name.wharf`
//! must fail with exactly one diagnostic, `E0xxx`. Each run is snapshotted
//! Gleam-style: the source first, then the diagnostics as a user sees them
//! (colour off).
//!
//! A fixture may start with `// inputs: NAME=VALUE ...` to give `--input`
//! values. Fixtures are compiled by the driver, which reads the helper files
//! that fixtures `import` under `tests/fixtures/imports/`. Messages known to be
//! poor wait in `tests/fixtures/bad/`, snapshotted as they are.

use std::path::{Path, PathBuf};
use wharf::diag::{explain, render, Code, Diagnostic, SourceFile, SourceMap};
use wharf::driver::{self, Disk, Memory, Options, Recovery};

/// Codes the checker cannot produce yet (templates and environments are not
/// implemented). A fixture for one of these fails `every_code_has_a_fixture`
/// until the code is removed from this list.
const NOT_YET_PRODUCIBLE: &[&str] = &[];

/// Codes about inputs that are not Wharf source (the JSON given to `wharf
/// import`): no `.wharf` fixture can produce them, so each must be asserted
/// by a real-binary test in `tests/hostile_paths.rs` or, for the local run,
/// `tests/runner_cli.rs`.
const CLI_ONLY: &[&str] = &["E0107", "E0108", "E0109", "E0708"];

/// The path relative to the package root, so snapshots do not depend on
/// where the repository is checked out.
fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn options(source: &str) -> Options {
    let mut options = Options::default();
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("// inputs:") {
            for kv in rest.split_whitespace() {
                let (k, v) = kv.split_once('=').expect("inputs are NAME=VALUE");
                options.inputs.insert(k.to_string(), v.to_string());
            }
        }
        if let Some(env) = line.strip_prefix("// env:") {
            options.environment = Some(env.trim().to_string());
        }
    }
    options
}

/// Compiles one fixture through the driver (imports are read relative to
/// it); the source map and the diagnostics.
fn run(path: &Path) -> (SourceMap, Vec<Diagnostic>) {
    let rel = relative(path);
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    match driver::compile(&Disk, &rel, &options(&text)) {
        // A warning's fixture checks, and says it.
        Ok(c) if !c.warnings.is_empty() => (c.sources, c.warnings),
        Ok(_) => panic!("{}: a program with errors must yield no ir", rel.display()),
        Err(d) => (d.sources, d.diags),
    }
}

/// The user's files (the embedded stdlib is not repeated in every snapshot).
fn source_section(sources: &SourceMap) -> String {
    let files: Vec<&SourceFile> = sources
        .files()
        .iter()
        .filter(|f| !f.name.starts_with("<stdlib/"))
        .collect();
    match files.as_slice() {
        [one] => one.text.clone(),
        files => files
            .iter()
            .map(|f| format!("//// {}\n{}", f.name, f.text))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn diagnostics() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| {
        insta::glob!("fixtures/errors/*.wharf", |path| {
            let (sources, diags) = run(path);
            let name = path.file_name().unwrap().to_string_lossy();
            let expected = &name[..5];
            // Exactly one: a second diagnostic would be a cascade.
            assert_eq!(
                diags.len(),
                1,
                "{name}: expected exactly one diagnostic:\n{}",
                render::human(&sources, &diags, false)
            );
            assert_eq!(
                diags[0].code.as_str(),
                expected,
                "{name}: the first diagnostic has the wrong code:\n{}",
                render::human(&sources, &diags, false)
            );
            for d in &diags {
                let text = &sources.get(d.primary.span.file).text;
                assert!(
                    d.primary.span.start <= d.primary.span.end
                        && d.primary.span.end as usize <= text.len(),
                    "{name}: span {:?} outside its file",
                    d.primary.span
                );
            }
            let report = format!(
                "----- SOURCE\n{}\n----- DIAGNOSTICS\n{}",
                source_section(&sources),
                render::human(&sources, &diags, false)
            );
            insta::assert_snapshot!(report);
        });
    });
}

/// Known-poor messages (PRQL's `bad/`): each fixture says in a comment what
/// is wrong with its diagnostics, and the snapshot shows them as they are.
/// Fixing one means moving it to `errors/` under its code.
#[test]
fn known_poor_messages() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::glob!("fixtures/bad/*.wharf", |path| {
            let (sources, diags) = run(path);
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(
                sources.files()[0].text.contains("// KNOWN POOR"),
                "{name}: say what is poor in a `// KNOWN POOR` comment"
            );
            assert!(!diags.is_empty(), "{name}: no diagnostic");
            let report = format!(
                "----- SOURCE\n{}\n----- DIAGNOSTICS\n{}",
                source_section(&sources),
                render::human(&sources, &diags, false)
            );
            insta::assert_snapshot!("bad", report);
        });
    });
}

fn fixture_codes() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut codes: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture directory exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wharf"))
        .map(|n| n[..5].to_string())
        .collect();
    codes.sort();
    codes
}

/// Codes of the checker and parser: E01xx to E04xx. E05xx (emit) and E06xx
/// (runner) cannot come out of `wharf check`.
fn front_end_codes() -> impl Iterator<Item = Code> {
    // Service Connect's checks (E07xx) are front-end checks too.
    Code::ALL
        .iter()
        .copied()
        .filter(|c| c.as_str() < "E0500" || c.as_str().starts_with("E07"))
}

#[test]
fn every_code_has_a_fixture() {
    let fixtures = fixture_codes();
    let missing: Vec<&str> = front_end_codes()
        .map(Code::as_str)
        .filter(|c| !NOT_YET_PRODUCIBLE.contains(c) && !CLI_ONLY.contains(c))
        .filter(|c| !fixtures.iter().any(|f| f == c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
    for code in NOT_YET_PRODUCIBLE {
        assert!(
            !fixtures.iter().any(|f| f == code),
            "{code} now has a fixture: remove it from NOT_YET_PRODUCIBLE"
        );
    }
}

#[test]
fn cli_only_codes_are_tested_with_the_binary() {
    let tests: String = ["tests/hostile_paths.rs", "tests/runner_cli.rs"]
        .iter()
        .map(|f| {
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap_or_else(|e| panic!("{f}: {e}"))
        })
        .collect();
    for code in CLI_ONLY {
        assert!(
            tests.contains(&format!("\"{code}\"")) || tests.contains(&format!("[{code}]")),
            "{code} is produced only by the command line: assert it in tests/hostile_paths.rs or tests/runner_cli.rs"
        );
    }
}

#[test]
fn every_fixture_names_a_known_code() {
    for code in fixture_codes() {
        assert!(
            code.parse::<Code>().is_ok(),
            "fixture prefix {code} is not a diagnostic code"
        );
    }
}

/// Every code, the backends' and the runner's included, has an explanation.
#[test]
fn every_code_has_an_explanation() {
    let missing: Vec<&str> = Code::ALL
        .iter()
        .copied()
        .filter(|c| explain::explanation(*c).is_none())
        .map(Code::as_str)
        .collect();
    assert!(
        missing.is_empty(),
        "codes without an explanation: {missing:?}"
    );
}

/// An explanation shows what goes wrong and how to fix it, in Wharf.
#[test]
fn explanations_have_wrong_and_right_examples() {
    for code in front_end_codes() {
        let Some(text) = explain::explanation(code) else {
            continue;
        };
        for part in ["Wrong:", "Right:", "```"] {
            assert!(text.contains(part), "{code}: explanation lacks `{part}`");
        }
    }
}

/// The `Wrong:` and `Right:` examples of an explanation, as source texts.
fn examples(text: &str) -> (String, String) {
    let block_after = |marker: &str| {
        let at = text.find(marker).unwrap_or_else(|| panic!("no {marker}"));
        let rest = &text[at..];
        let start = rest.find("```wharf\n").expect("a ```wharf block") + "```wharf\n".len();
        let end = rest[start..].find("```").expect("a closed block");
        rest[start..start + end].to_string()
    };
    (block_after("Wrong:"), block_after("Right:"))
}

/// Codes found by parsing and checking one example (no inputs, no
/// environment), warnings included.
fn example_codes(source: &str) -> Vec<Code> {
    let fs = Memory::with("example.wharf", source);
    let loaded = driver::load(&fs, Path::new("example.wharf"), Recovery::Strict);
    if !loaded.diags.is_empty() {
        return loaded.diags.iter().map(|d| d.code).collect();
    }
    let (_, diags) = loaded.check(&Options::default());
    diags.iter().map(|d| d.code).collect()
}

/// Each explanation's `Wrong:` example produces its code, and its `Right:`
/// example compiles without any diagnostic. Examples that need other files
/// or the command line are read, not run.
#[test]
fn explanation_examples_do_what_they_say() {
    const NOT_RUNNABLE: &[&str] = &[
        "E0104", "E0105", "E0106", "E0107", "E0108", "E0109", "E0213", "E0215", "E0708",
    ];
    for code in front_end_codes() {
        if NOT_RUNNABLE.contains(&code.as_str()) || NOT_YET_PRODUCIBLE.contains(&code.as_str()) {
            continue;
        }
        let text = explain::explanation(code).expect("checked by every_code_has_an_explanation");
        let (wrong, right) = examples(text);
        let found = example_codes(&wrong);
        assert!(
            found.contains(&code),
            "{code}: the Wrong example gives {found:?}\n{wrong}"
        );
        let found = example_codes(&right);
        assert!(
            found.is_empty(),
            "{code}: the Right example gives {found:?}\n{right}"
        );
    }
}

/// The edge of each ECS rule, on the side ECS accepts:
/// `tests/fixtures/accepted/E0xxx_name.wharf` is a program next to what
/// `E0xxx` refuses (a limit reached, not passed; the case the rule must not
/// cover) and checks without any diagnostic.
#[test]
fn accepted_edges_check_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accepted");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("accepted fixtures exist")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 14, "expected the accepted edge fixtures");
    for path in paths {
        let rel = relative(&path);
        let name = rel.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name[..5].parse::<Code>().is_ok(),
            "{name}: name the rule whose edge this is"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = driver::load(&Disk, &rel, Recovery::Strict);
        let (program, diags) = match loaded.diags.is_empty() {
            true => loaded.check(&options(&text)),
            false => (None, loaded.diags.clone()),
        };
        assert!(
            diags.is_empty() && program.is_some(),
            "{name}: expected no diagnostic:\n{}",
            render::human(&loaded.sources, &diags, false)
        );
    }
}
