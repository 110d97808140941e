//! The statements the language server offers in each block are the ones
//! the checker reads there: both come from `check::vocabulary`. Each probe
//! puts every statement the editor offers in its block and asserts the
//! checker knows it (no E0208 about it), and puts an unknown statement there
//! and asserts the checker refuses it, naming the block's properties.
//! The editor grammars (VS Code, Vim), which cannot read the vocabulary,
//! are held to its container patterns and declarations.

use wharf::diag::{Code, Diagnostic, SourceMap};
use wharf::lsp::Block;

const PROBE: &str = "qqqqqqqqqqqq";

fn check(program: &str) -> Vec<Diagnostic> {
    let mut sources = SourceMap::new();
    let id = sources.add("probe.wharf", program.to_string());
    let file = wharf::syntax::parse(sources.get(id)).expect("the probe parses");
    let (std_files, stdlib, _) = wharf::stdlib::load(&mut sources);
    let mut files = vec![file];
    files.extend(std_files);
    let options = wharf::check::Options {
        stdlib,
        name: "probe".into(),
        // Environments are read when selected.
        environment: program.contains("environment e").then(|| "e".to_string()),
        ..Default::default()
    };
    wharf::check::check(&files, &options).1
}

fn unknown<'d>(diags: &'d [Diagnostic], head: &str) -> Option<&'d Diagnostic> {
    diags
        .iter()
        .find(|d| d.code == Code::UnknownDirective && d.message.contains(&format!("`{head}`")))
}

const BASE: &str = "cluster c { capacity FARGATE weight 1 }\n\
                    alb l { public; listener 80 http }\n\
                    task t { cpu 0.25vcpu; memory 512MiB; container a { image \"x\"; port 80 } }\n";

/// A program with `PROBE` standing in `block`.
fn probes() -> Vec<(Block, String)> {
    vec![
        (Block::Top, "PROBE\n".to_string()),
        (Block::Network, "network n { PROBE }\n".to_string()),
        (Block::Cluster, "cluster k { PROBE }\n".to_string()),
        (Block::LoadBalancer, "alb b { PROBE }\n".to_string()),
        (Block::Task, "task p { PROBE }\n".to_string()),
        (
            Block::DockerVolume,
            "task p { volume v docker { PROBE } }\n".to_string(),
        ),
        (
            Block::Container,
            "task p { container a { PROBE } }\n".to_string(),
        ),
        (
            Block::Local,
            "task p { container a { local { PROBE } } }\n".to_string(),
        ),
        (
            Block::Linux,
            "task p { container a { linux { PROBE } } }\n".to_string(),
        ),
        (
            Block::Service,
            format!("{BASE}service s in c {{ task t; PROBE }}\n"),
        ),
        (
            Block::Expose,
            format!("{BASE}service s in c {{ task t; expose a:80 via l {{ PROBE }} }}\n"),
        ),
        (Block::Input, "input X = \"a\" { PROBE }\n".to_string()),
        (
            Block::Job,
            format!("{BASE}job j in c {{ task t; PROBE }}\n"),
        ),
        (
            Block::Override,
            format!("{BASE}job j in c {{ task t; override a {{ PROBE }} }}\n"),
        ),
        (
            Block::Schedule,
            format!("{BASE}job j in c {{ task t }}\nschedule s {{ job j; PROBE }}\n"),
        ),
        (Block::Environment, "environment e { PROBE }\n".to_string()),
    ]
}

#[test]
fn the_checker_reads_every_statement_the_editor_offers() {
    for (block, program) in probes() {
        assert!(!block.heads().is_empty(), "{block:?} offers nothing");
        for head in block.heads() {
            let diags = check(&program.replace("PROBE", head));
            assert!(
                unknown(&diags, head).is_none(),
                "the checker does not read `{head}` in {block:?}: {diags:#?}"
            );
        }
    }
}

#[test]
fn the_checker_refuses_what_the_editor_does_not_offer() {
    for (block, program) in probes() {
        let diags = check(&program.replace("PROBE", PROBE));
        let d = unknown(&diags, PROBE)
            .unwrap_or_else(|| panic!("no E0208 for the probe in {block:?}: {diags:#?}"));
        let help = d.help.as_deref().unwrap().replace(",\n", ", ");
        let listed = help
            .strip_prefix("allowed here: ")
            .unwrap_or_else(|| panic!("unexpected help: {help}"));
        // The help names the block's first statements, in order.
        let first: Vec<String> = block.heads().iter().map(|h| format!("`{h}`")).collect();
        let shown = first.len().min(8);
        assert!(
            listed.starts_with(&first[..shown].join(", ")),
            "{block:?}: {listed}"
        );
        if first.len() <= 12 {
            assert_eq!(listed, first.join(", "), "{block:?}");
        } else {
            assert!(
                listed.contains(&format!("and {} more", first.len() - 8)),
                "{listed}"
            );
        }
    }
}

/// The words of the first `(a|b|c)` group in `text` that contains `word`
/// (`|` written `\|` in Vim).
fn alternation(text: &str, word: &str) -> Vec<String> {
    let text = text
        .replace("\\|", "|")
        .replace("\\%(", "(")
        .replace("\\)", ")");
    let at = text
        .find(&format!("({word}|"))
        .unwrap_or_else(|| panic!("no group starting with `{word}`"));
    let rest = &text[at + 1..];
    let end = rest.find(')').unwrap();
    rest[..end].split('|').map(str::to_string).collect()
}

#[test]
fn the_editor_grammars_know_the_patterns_and_declarations() {
    use wharf::check::vocabulary::{PATTERN, TOP};
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
    let patterns: Vec<String> = PATTERN.iter().map(|p| p.name.to_string()).collect();
    let declarations: Vec<String> = TOP
        .iter()
        .filter(|p| p.declares.is_some())
        .map(|p| p.name.to_string())
        .collect();
    let vscode = read("editors/vscode/syntaxes/wharf.tmLanguage.json");
    assert_eq!(
        alternation(&vscode, &patterns[0]),
        patterns,
        "VS Code grammar"
    );
    let decls = alternation(&vscode, &declarations[0]);
    assert!(
        declarations.iter().all(|d| decls.contains(d)),
        "VS Code grammar: {decls:?}"
    );
    let vim = read("editors/vim/syntax/wharf.vim");
    let words = alternation(&vim, &declarations[0]);
    for w in patterns.iter().chain(&declarations) {
        assert!(
            words.contains(w),
            "the Vim syntax does not know `{w}`: {words:?}"
        );
    }
}
