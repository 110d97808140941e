//! The library driver: the same program compiles to the same bytes from the
//! disk and from memory, imports are read through the file system it is
//! given (relative to the importing file, each once, cycles refused), and
//! an editor's unsaved buffer wins over the disk.

mod common;

use std::path::Path;
use wharf::diag::Code;
use wharf::driver::{self, Disk, FileSystem, Memory, Options, Overlay, Recovery};
use wharf::emit::{render_artifacts, Target, TemplateFormat};

const TARGETS: [(Target, TemplateFormat); 4] = [
    (Target::Ecs, TemplateFormat::Json),
    (Target::Cloudformation, TemplateFormat::Json),
    (Target::Cloudformation, TemplateFormat::Yaml),
    (Target::Local, TemplateFormat::Json),
];

fn codes(fs: &dyn FileSystem, entry: &str) -> Vec<Code> {
    match driver::compile(fs, Path::new(entry), &Options::default()) {
        Ok(_) => Vec::new(),
        Err(d) => d.diags.iter().map(|d| d.code).collect(),
    }
}

/// `examples/imports.wharf` and the file it imports, copied into memory
/// under another root, build byte for byte as they do from the disk.
#[test]
fn memory_and_disk_build_the_same_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut fs = Memory::new();
    for rel in ["examples/imports.wharf", "examples/shared/platform.wharf"] {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        fs.insert(Path::new("/mem").join(rel), text);
    }
    let mut built = 0;
    for (target, format) in TARGETS {
        // The artifacts, or the codes of what the target refuses.
        let build = |fs: &dyn FileSystem, entry: &Path| {
            driver::build(fs, entry, &Options::default(), target, format)
                .map(|built| render_artifacts(&built.artifacts))
                .map_err(|d| d.diags.iter().map(|d| d.code).collect::<Vec<_>>())
        };
        let from_disk = build(&Disk, &root.join("examples/imports.wharf"));
        let from_memory = build(&fs, Path::new("/mem/examples/imports.wharf"));
        assert_eq!(from_disk, from_memory, "{target:?} {format:?}");
        built += usize::from(from_disk.is_ok());
    }
    assert!(built >= 2, "the example builds for CloudFormation at least");
}

const TASK: &str =
    "task web {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx:1.27\" }\n}\n";

#[test]
fn imports_are_relative_to_the_importing_file_and_read_once() {
    let mut fs = Memory::new();
    fs.insert(
        "app/main.wharf",
        "import \"lib/a.wharf\"\nimport \"lib/b.wharf\"\n",
    )
    .insert("app/lib/a.wharf", "import \"../lib/./common.wharf\"\n")
    .insert("app/lib/b.wharf", "import \"common.wharf\"\n")
    .insert("app/lib/common.wharf", TASK);
    let compiled = driver::compile(&fs, Path::new("app/main.wharf"), &Options::default())
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        compiled.program.tasks.len(),
        1,
        "common.wharf is loaded once"
    );
    let names: Vec<&str> = compiled
        .sources
        .files()
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| !n.starts_with("<stdlib"))
        .collect();
    assert_eq!(
        names,
        [
            "app/main.wharf",
            "app/lib/a.wharf",
            "app/lib/../lib/./common.wharf",
            "app/lib/b.wharf"
        ]
    );
}

#[test]
fn import_errors_are_coded() {
    let mut fs = Memory::new();
    fs.insert("a.wharf", "import \"b.wharf\"\n")
        .insert("b.wharf", "import \"./a.wharf\"\n")
        .insert("missing.wharf", "import \"nowhere.wharf\"\n")
        .insert("empty.wharf", "import\n");
    assert_eq!(codes(&fs, "a.wharf"), [Code::ImportCycle]);
    assert_eq!(codes(&fs, "missing.wharf"), [Code::ImportNotFound]);
    assert_eq!(codes(&fs, "empty.wharf"), [Code::ArgumentCount]);
    assert_eq!(codes(&fs, "absent.wharf"), [Code::ImportNotFound]);
    let err = driver::compile(&fs, Path::new("missing.wharf"), &Options::default()).unwrap_err();
    assert_eq!(
        err.diags[0].help.as_deref(),
        Some("the path is relative to this file; looked for `nowhere.wharf`")
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_from_memory_too() {
    let big = " ".repeat(driver::MAX_SOURCE_BYTES as usize + 1);
    let fs = Memory::with("big.wharf", big);
    assert_eq!(codes(&fs, "big.wharf"), [Code::NotASourceFile]);
}

#[test]
fn inputs_environment_and_environment_variables_come_from_the_options() {
    let src = "input IMAGE_TAG: string = \"1\"\ntask web {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx:${IMAGE_TAG}\" }\n}\nenvironment prod { input IMAGE_TAG = \"2\" }\n";
    let fs = Memory::with("app.wharf", src);
    let image = |options: &Options| {
        let compiled =
            driver::compile(&fs, Path::new("app.wharf"), options).unwrap_or_else(|d| panic!("{d}"));
        let input = compiled
            .program
            .inputs
            .iter()
            .find(|i| i.name == "IMAGE_TAG");
        input.unwrap().value.clone()
    };
    let mut options = Options::default();
    assert_eq!(image(&options), "1");
    options.env.insert("IMAGE_TAG".into(), "3".into());
    assert_eq!(image(&options), "3");
    options.inputs.insert("IMAGE_TAG".into(), "4".into());
    assert_eq!(image(&options), "4");
    let prod = Options {
        environment: Some("prod".into()),
        ..Options::default()
    };
    assert_eq!(image(&prod), "2");
}

/// The language server's view: the editor's unsaved text over the disk,
/// and what parses of a broken file kept with its syntax errors.
#[test]
fn buffers_win_over_the_disk_and_partial_loads_keep_what_parses() {
    let mut fs = Overlay::new(Memory::with("app.wharf", TASK));
    fs.top
        .insert("app.wharf", format!("{TASK}task broken {{ cpu 1 ] }}\n"));
    let strict = driver::load(&fs, Path::new("app.wharf"), Recovery::Strict);
    assert!(strict
        .files
        .iter()
        .all(|f| f.id.0 as usize >= strict.user_files));
    assert!(!strict.diags.is_empty());
    let partial = driver::load(&fs, Path::new("app.wharf"), Recovery::Partial);
    assert_eq!(partial.user_files, 1);
    assert!(
        partial.files.iter().any(|f| f.id.0 == 0),
        "the document is kept"
    );
    assert!(!partial.diags.is_empty(), "with its syntax errors");
    assert_eq!(codes(&fs.base, "app.wharf"), []);
}

/// A build defers the blocks of task and service declarations and reads
/// each again when it checks it: what it reads again is exactly the block
/// the parser read the first time.
#[test]
fn deferred_blocks_read_again_as_first_read() {
    let mut deferred = 0;
    for path in common::wharf_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut map = wharf::diag::SourceMap::new();
        let id = map.add(path.display().to_string(), text);
        let src = map.get(id);
        let (Ok(whole), Ok(lazy)) = (
            wharf::syntax::parse(src),
            wharf::syntax::parse_deferring(src, &wharf::check::defers),
        ) else {
            continue;
        };
        assert_eq!(whole.statements.len(), lazy.statements.len());
        for (w, l) in whole.statements.iter().zip(&lazy.statements) {
            let Some(block) = l.block.as_ref().filter(|b| b.deferred) else {
                assert_eq!(w, l, "{}", path.display());
                continue;
            };
            assert!(wharf::check::defers(l) && block.statements.is_empty());
            let again = wharf::syntax::read_deferred(src, block).unwrap();
            assert_eq!(Some(&again), w.block.as_deref(), "{}", path.display());
            deferred += 1;
        }
    }
    assert!(deferred > 100, "{deferred} blocks deferred");
}

/// A build (deferred blocks) and an editor (the whole tree) check every
/// program alike: the same program, the same diagnostics, spans included,
/// under each of its environments too.
#[test]
fn deferred_blocks_check_as_the_whole_tree() {
    let mut compared = 0;
    for path in common::wharf_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let envs = text
            .lines()
            .filter_map(|l| l.strip_prefix("environment "))
            .filter_map(|l| l.split_whitespace().next())
            .map(|n| Some(n.to_string()));
        for environment in std::iter::once(None).chain(envs) {
            let options = Options {
                environment,
                ..Options::default()
            };
            let strict = driver::load(&Disk, &path, Recovery::Strict);
            if !strict.diags.is_empty() {
                continue;
            }
            let whole = driver::load(&Disk, &path, Recovery::Partial);
            let (a, da) = strict.check(&options);
            let (b, db) = whole.check(&options);
            assert_eq!(a, b, "{}", path.display());
            assert_eq!(format!("{da:?}"), format!("{db:?}"), "{}", path.display());
            let built = driver::compile(&Disk, &path, &options);
            match built {
                Ok(c) => assert_eq!(Some(c.program), b, "{}", path.display()),
                Err(d) => assert_eq!(format!("{:?}", d.diags), format!("{db:?}")),
            }
            compared += 1;
        }
    }
    assert!(compared > 150, "{compared} programs compared");
}
