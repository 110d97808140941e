//! The statements the language server offers in each block are exactly the
//! ones the checker accepts there: each probe puts an unknown statement in
//! a block and reads the checker's own list from its E0208 help
//! ("allowed here: ..."). A property added to the checker and not to
//! `lsp::vocab` fails here.

use wharf::diag::{Code, SourceMap};
use wharf::lsp::Block;

const PROBE: &str = "qqqqqqqqqqqq";

fn allowed(program: &str) -> Vec<String> {
    let mut sources = SourceMap::new();
    let id = sources.add("probe.wharf", program.replace("PROBE", PROBE));
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
    let (_, diags) = wharf::check::check(&files, &options);
    let d = diags
        .iter()
        .find(|d| d.code == Code::UnknownDirective && d.message.contains(PROBE))
        .unwrap_or_else(|| panic!("no E0208 for the probe in {program}: {diags:#?}"));
    let help = d.help.as_deref().unwrap().replace(",\n", ", ");
    let list = help
        .as_str()
        .strip_prefix("allowed here: ")
        .unwrap_or_else(|| panic!("unexpected help: {help}"));
    let mut names: Vec<String> = list
        .split(", ")
        .map(|w| w.trim_matches('`').to_string())
        .collect();
    names.sort();
    names
}

fn ours(block: Block) -> Vec<String> {
    let mut v: Vec<String> = block.heads().iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn every_block_offers_what_the_checker_accepts() {
    let base = "cluster c { capacity FARGATE weight 1 }\n\
                alb l { public; listener 80 http }\n\
                task t { cpu 0.25vcpu; memory 512MiB; container a { image \"x\"; port 80 } }\n";
    let probes = [
        (Block::Top, "PROBE\n".to_string()),
        (Block::Network, "network n { PROBE }\n".to_string()),
        (Block::Cluster, "cluster k { PROBE }\n".to_string()),
        (Block::LoadBalancer, "alb b { PROBE }\n".to_string()),
        (Block::Task, "task p { PROBE }\n".to_string()),
        (
            Block::Container,
            "task p { container a { PROBE } }\n".to_string(),
        ),
        (
            Block::Local,
            "task p { container a { local { PROBE } } }\n".to_string(),
        ),
        (
            Block::Service,
            format!("{base}service s in c {{ task t; PROBE }}\n"),
        ),
        (
            Block::Expose,
            format!("{base}service s in c {{ task t; expose a:80 via l {{ PROBE }} }}\n"),
        ),
        (Block::Input, "input X = \"a\" { PROBE }\n".to_string()),
        (
            Block::Job,
            format!("{base}job j in c {{ task t; PROBE }}\n"),
        ),
        (
            Block::Override,
            format!("{base}job j in c {{ task t; override a {{ PROBE }} }}\n"),
        ),
        (
            Block::Schedule,
            format!("{base}job j in c {{ task t }}\nschedule s {{ job j; PROBE }}\n"),
        ),
        (Block::Environment, "environment e { PROBE }\n".to_string()),
    ];
    for (block, program) in probes {
        assert_eq!(ours(block), allowed(&program), "statements of {block:?}");
    }
}
