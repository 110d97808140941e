//! Hostile inputs for paths and output (issue 7, items 1, 2, 3's last bullet
//! and 5), run through the real binary: names that would walk out of `-o`
//! from every source a value can have, the output folder's all-or-nothing
//! replacement, files that are not source files, and exit codes.
//!
//! Every program is built inside a scratch tree; tests that expect a refusal
//! list the whole tree before and after and assert that nothing appeared.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn wharf_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wharf"));
    cmd.args(args)
        .arg("--color")
        .arg("never")
        .current_dir(dir)
        .env_remove("AWS_REGION")
        .env_remove("NAME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the wharf binary runs")
}

/// Runs wharf and fails the test if it does not end within `limit`.
fn wharf_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .arg("--color")
        .arg("never")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wharf binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`wharf {}` did not end within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The codes of the diagnostics in human output, in order.
fn codes(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('[')?;
            let (code, _) = rest.split_once(']')?;
            code.starts_with('E').then(|| code.to_string())
        })
        .collect()
}

/// A fresh scratch tree: `<root>/a/b/work`, so that a name walking up from
/// `work/out` still lands inside `root`, which the tests list.
struct Scratch {
    root: PathBuf,
    work: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let root =
            std::env::temp_dir().join(format!("wharf-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let work = root.join("a/b/work");
        std::fs::create_dir_all(&work).unwrap();
        Scratch { root, work }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.work.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Every path under the root (files, folders, links), relative to it.
    fn tree(&self) -> BTreeSet<String> {
        fn walk(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                out.insert(p.strip_prefix(base).unwrap().display().to_string());
                if e.file_type().unwrap().is_dir() {
                    walk(&p, base, out);
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.root, &self.root, &mut out);
        out
    }

    /// File name -> contents of every file under `dir`.
    fn files(&self, dir: &str) -> Vec<(String, String)> {
        let base = self.work.join(dir);
        let mut out = Vec::new();
        fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if e.file_type().unwrap().is_dir() {
                    walk(&p, base, out);
                } else {
                    let rel = p.strip_prefix(base).unwrap().display().to_string();
                    out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
                }
            }
        }
        walk(&base, &base, &mut out);
        out.sort();
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

const TASK: &str =
    "task web {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx:1.27\" }\n}\n";

/// A program with a stack, cluster, service and task; `decls` come first.
fn program(decls: &str, cluster: &str, service: &str) -> String {
    format!(
        "region \"us-east-1\"\n{decls}cluster {cluster} {{ capacity FARGATE }}\n{TASK}\
         service {service} {{\n  task web\n  subnets [\"subnet-0123456789abcdef0\"]\n  security_groups [\"sg-0123456789abcdef0\"]\n}}\n"
    )
}

/// Builds `src` for both file-writing targets and asserts the refusal:
/// exit 1, exactly `expected` codes, and no file anywhere in the tree.
fn assert_refused(name: &str, src: &str, args: &[&str], env: &[(&str, &str)], expected: &[&str]) {
    let s = Scratch::new(name);
    s.write("app.wharf", src);
    let abs = std::env::temp_dir().join(format!("wharf-hostile-abs-{}", std::process::id()));
    let before = s.tree();
    for target in ["ecs", "cloudformation", "local"] {
        let mut all = vec!["build", "app.wharf", "--target", target, "-o", "out"];
        all.extend_from_slice(args);
        let o = wharf_in(&s.work, &all, env);
        assert_eq!(o.status.code(), Some(1), "{name} {target}: {}", stderr(&o));
        assert_eq!(codes(&o), expected, "{name} {target}: {}", stderr(&o));
        assert_eq!(s.tree(), before, "{name} {target}: a file appeared");
    }
    assert!(!abs.exists(), "{name}: wrote to an absolute path");
}

#[test]
fn stack_names_that_leave_the_output_folder_are_refused_from_every_source() {
    let abs = std::env::temp_dir().join(format!("wharf-hostile-abs-{}/x", std::process::id()));
    let abs = abs.display().to_string();
    for bad in ["../../../escape", abs.as_str(), "a/b", "..", ""] {
        // literal
        let src = program(&format!("stack \"{bad}\"\n"), "main", "web");
        assert_refused("stack-literal", &src, &[], &[], &["E0216"]);
        // through a let
        let src = program(&format!("let S = \"{bad}\"\nstack S\n"), "main", "web");
        assert_refused("stack-let", &src, &[], &[], &["E0216"]);
        // through an input given on the command line, and by the environment
        let src = program("input NAME = \"fine\"\nstack \"${NAME}\"\n", "main", "web");
        let given = format!("NAME={bad}");
        assert_refused("stack-cli", &src, &["--input", &given], &[], &["E0216"]);
        assert_refused("stack-env", &src, &[], &[("NAME", bad)], &["E0216"]);
    }
}

#[test]
fn cluster_and_service_names_given_as_strings_are_refused() {
    for bad in ["../../../escape", "/tmp/x", "a b", "x/../../y"] {
        let src = program("", &format!("\"{bad}\""), "web");
        assert_refused("cluster", &src, &[], &[], &["E0216"]);
        let src = program("", "main", &format!("\"{bad}\" in main"));
        assert_refused("service", &src, &[], &[], &["E0216"]);
    }
}

#[test]
fn family_and_log_group_from_inputs_are_refused() {
    let src = "region \"us-east-1\"\ninput FAMILY = \"web\"\ntask web {\n  family \"${FAMILY}\"\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx:1.27\" }\n}\n";
    assert_refused(
        "family-env",
        src,
        &[],
        &[("FAMILY", "../../../escape")],
        &["E0411"],
    );
    let src = "region \"us-east-1\"\ninput GROUP = \"/ecs/web\"\ntask web {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"nginx:1.27\"\n    logs awslogs group \"${GROUP}\"\n  }\n}\n";
    assert_refused(
        "group-cli",
        src,
        &["--input", "GROUP=/ecs/a b"],
        &[],
        &["E0216"],
    );
}

#[test]
fn the_diagnostic_points_at_the_input_the_name_came_from() {
    let s = Scratch::new("origin");
    s.write(
        "app.wharf",
        &program("input NAME = \"fine\"\nstack \"${NAME}\"\n", "main", "web"),
    );
    let o = wharf_in(
        &s.work,
        &["check", "app.wharf", "--input", "NAME=../x"],
        &[],
    );
    let err = stderr(&o);
    assert_eq!(codes(&o), ["E0216"]);
    assert!(err.contains("`../x` is not a valid stack name"), "{err}");
    assert!(
        err.contains("input `NAME` is `../x` in this build, given with `--input`"),
        "{err}"
    );
    let o = wharf_in(&s.work, &["check", "app.wharf"], &[("NAME", "/etc/x")]);
    let err = stderr(&o);
    assert!(
        err.contains("input `NAME` is `/etc/x` in this build, taken from the environment variable"),
        "{err}"
    );
}

#[test]
fn a_file_name_that_is_not_a_stack_name_gives_a_valid_default_stack() {
    let s = Scratch::new("stem");
    s.write("my_app.wharf", &program("", "main", "web"));
    let o = wharf_in(
        &s.work,
        &[
            "build",
            "my_app.wharf",
            "--target",
            "cloudformation",
            "-o",
            "out",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> = s.files("out").into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, [".wharf-output", "my-app.json"]);
}

#[test]
fn the_writer_refuses_paths_outside_the_folder() {
    use wharf::cli::output::write_output;
    use wharf::emit::Artifact;
    let s = Scratch::new("writer");
    let before = s.tree();
    for bad in [
        "../x.json",
        "/tmp/x.json",
        "a/../../x.json",
        "",
        "./x",
        ".wharf-output",
    ] {
        let artifacts = vec![
            Artifact {
                path: "ok.json".into(),
                contents: "{}\n".into(),
            },
            Artifact {
                path: bad.into(),
                contents: "{}\n".into(),
            },
        ];
        let e = write_output(&s.work.join("out"), &artifacts).expect_err(bad);
        assert_eq!(e.code.as_str(), "E0511", "{bad}");
        assert_eq!(s.tree(), before, "{bad}: a file appeared");
    }
    let twice = vec![
        Artifact {
            path: "a.json".into(),
            contents: "1".into(),
        },
        Artifact {
            path: "a.json".into(),
            contents: "2".into(),
        },
    ];
    let e = write_output(&s.work.join("out"), &twice).expect_err("duplicate");
    assert_eq!(e.code.as_str(), "E0511");
}

#[test]
fn a_rebuild_holds_exactly_the_new_output_and_is_byte_identical() {
    let s = Scratch::new("rebuild");
    let two = program("stack \"shop\"\n", "main", "web")
        + "service api {\n  task web\n  subnets [\"subnet-0123456789abcdef0\"]\n  security_groups [\"sg-0123456789abcdef0\"]\n}\n";
    s.write("app.wharf", &two);
    let build = || wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(build().status.code(), Some(0));
    let first = s.files("out");
    assert!(first.iter().any(|(n, _)| n == "services/api.json"));
    assert_eq!(build().status.code(), Some(0));
    assert_eq!(s.files("out"), first, "a rebuild gives the same bytes");
    // Unchanged files are the old ones, linked; a changed one is new.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ino = |p: &str| std::fs::metadata(s.work.join(p)).unwrap().ino();
        let before = ino("out/taskdefs/web.json");
        assert_eq!(build().status.code(), Some(0));
        assert_eq!(ino("out/taskdefs/web.json"), before);
    }
    // A file an older writer left inside the output, and a removed service.
    std::fs::write(s.work.join("out/services/web.json.wharf-tmp-77"), "x").unwrap();
    s.write("app.wharf", &program("stack \"shop\"\n", "main", "web"));
    let before = s.tree();
    assert_eq!(build().status.code(), Some(0));
    let names: Vec<String> = s.files("out").into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            ".wharf-output",
            "clusters/main.json",
            "service_updates/web.json",
            "services/web.json",
            "taskdefs/web.json"
        ]
    );
    // Nothing new beside the folder: no lock, no staging, no old set.
    let outside = |t: &BTreeSet<String>| -> BTreeSet<String> {
        t.iter()
            .filter(|p| !p.contains("work/out/") && !p.ends_with("work/out"))
            .cloned()
            .collect()
    };
    assert_eq!(outside(&s.tree()), outside(&before));
}

#[test]
fn what_an_interrupted_build_left_is_cleaned() {
    let s = Scratch::new("interrupted");
    s.write("app.wharf", &program("", "main", "web"));
    // A killed build's staging folder, full of files, and a half-swapped old set.
    let staging = s.work.join(".out.wharf-tmp-4242");
    std::fs::create_dir_all(staging.join("services")).unwrap();
    for i in 0..50 {
        std::fs::write(staging.join(format!("services/s{i}.json")), "{}").unwrap();
    }
    std::fs::create_dir_all(s.work.join(".out.wharf-old-4243")).unwrap();
    // Another folder's leftovers are not this build's to remove.
    std::fs::create_dir_all(s.work.join(".other.wharf-tmp-1")).unwrap();
    let o = wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut left: Vec<String> = std::fs::read_dir(&s.work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".other.wharf-tmp-1", "app.wharf", "out"]);
}

#[test]
fn a_folder_wharf_did_not_write_is_refused_and_kept() {
    let s = Scratch::new("foreign");
    s.write("app.wharf", &program("", "main", "web"));
    std::fs::create_dir_all(s.work.join("mine")).unwrap();
    std::fs::write(s.work.join("mine/notes.txt"), "keep me").unwrap();
    let before = s.tree();
    for out in ["mine", ".", "app.wharf"] {
        let o = wharf_in(&s.work, &["build", "app.wharf", "-o", out], &[]);
        assert_eq!(o.status.code(), Some(1), "{out}: {}", stderr(&o));
        assert_eq!(codes(&o), ["E0512"], "{out}: {}", stderr(&o));
        assert_eq!(s.tree(), before, "{out}: the tree changed");
    }
    assert_eq!(
        std::fs::read_to_string(s.work.join("mine/notes.txt")).unwrap(),
        "keep me"
    );
    // An empty folder is fine, and is then Wharf's.
    std::fs::create_dir_all(s.work.join("empty")).unwrap();
    let o = wharf_in(&s.work, &["build", "app.wharf", "-o", "empty"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.work.join("empty/.wharf-output").is_file());
}

#[cfg(unix)]
#[test]
fn a_link_planted_in_the_old_output_is_refused_not_followed() {
    let s = Scratch::new("symlink");
    s.write("app.wharf", &program("", "main", "web"));
    let build = || wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(build().status.code(), Some(0));
    // `out/services` becomes a link to a folder outside, and
    // `out/clusters/main.json` a link to an outside file with the very
    // bytes the build writes.
    let elsewhere = s.root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::remove_dir_all(s.work.join("out/services")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.work.join("out/services")).unwrap();
    let cluster = s.work.join("out/clusters/main.json");
    let outside = s.root.join("outside.json");
    std::fs::copy(&cluster, &outside).unwrap();
    std::fs::remove_file(&cluster).unwrap();
    std::os::unix::fs::symlink(&outside, &cluster).unwrap();
    let before = s.tree();
    let o = build();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0512"], "{}", stderr(&o));
    assert_eq!(s.tree(), before, "the tree changed");
    // Once the links are gone, the folder is Wharf's again; nothing was
    // ever written through them.
    std::fs::remove_file(s.work.join("out/services")).unwrap();
    std::fs::remove_file(&cluster).unwrap();
    assert_eq!(build().status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&outside).unwrap().nlink(), 1);
    assert!(std::fs::symlink_metadata(&cluster).unwrap().is_file());
}

#[test]
fn a_file_added_to_a_wharf_output_is_refused_and_kept() {
    let s = Scratch::new("added");
    s.write("app.wharf", &program("", "main", "web"));
    let build = || wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(build().status.code(), Some(0));
    std::fs::write(s.work.join("out/services/notes.txt"), "mine").unwrap();
    let o = build();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0512"]);
    assert!(stderr(&o).contains("`services/notes.txt`, which Wharf did not write"));
    assert_eq!(
        std::fs::read_to_string(s.work.join("out/services/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_second_build_to_a_locked_folder_is_refused() {
    let s = Scratch::new("lock");
    s.write("app.wharf", &program("", "main", "web"));
    let lock = std::fs::File::create(s.work.join(".out.wharf-lock")).unwrap();
    lock.try_lock().expect("the test takes the lock");
    let o = wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0513"]);
    assert!(!s.work.join("out").exists());
    drop(lock);
    let o = wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn concurrent_builds_never_mix_their_output() {
    let s = Scratch::new("concurrent");
    let many: String = (0..40)
        .map(|i| {
            format!("service s{i} {{\n  task web\n  subnets [\"subnet-0123456789abcdef0\"]\n  security_groups [\"sg-0123456789abcdef0\"]\n}}\n")
        })
        .collect();
    s.write("a.wharf", &(program("", "main", "web") + &many));
    s.write("b.wharf", &program("", "other", "solo"));
    let reference = |file: &str, out: &str| {
        let o = wharf_in(&s.work, &["build", file, "-o", out], &[]);
        assert_eq!(o.status.code(), Some(0));
        s.files(out)
    };
    let a = reference("a.wharf", "ref-a");
    let b = reference("b.wharf", "ref-b");
    for _ in 0..3 {
        let children: Vec<_> = (0..6)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_wharf"))
                    .args(["build", if i % 2 == 0 { "a.wharf" } else { "b.wharf" }])
                    .args(["-o", "out", "--color", "never"])
                    .current_dir(&s.work)
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            match o.status.code() {
                Some(0) => {}
                Some(1) => assert_eq!(codes(&o), ["E0513"], "{}", stderr(&o)),
                other => panic!("exit {other:?}: {}", stderr(&o)),
            }
        }
        let got = s.files("out");
        assert!(got == a || got == b, "the output mixes two builds");
    }
}

#[cfg(unix)]
#[test]
fn files_that_are_not_source_files_are_refused_quickly() {
    let s = Scratch::new("special");
    let fifo = s.work.join("pipe.wharf");
    let ok = Command::new("mkfifo").arg(&fifo).status();
    let limit = Duration::from_secs(10);
    let mut cases: Vec<(String, Vec<String>)> = vec![
        ("dir".into(), vec!["import \"../work\"".into()]),
        ("proc".into(), vec!["import \"/proc/self/environ\"".into()]),
        ("dev".into(), vec!["import \"/dev/zero\"".into()]),
    ];
    if ok.is_ok_and(|st| st.success()) {
        cases.push(("fifo".into(), vec!["import \"pipe.wharf\"".into()]));
    }
    for (name, lines) in &cases {
        let file = format!("{name}.wharf");
        s.write(&file, &(lines.join("\n") + "\n" + TASK));
        let o = wharf_within(&s.work, &["check", &file], limit);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert_eq!(codes(&o), ["E0106"], "{name}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("PATH="),
            "{name}: the environment was echoed"
        );
    }
    // The same files given directly to every subcommand that reads one.
    let mut direct = vec!["/dev/zero", "/proc/self/environ", "."];
    if fifo.exists() {
        direct.push("pipe.wharf");
    }
    for path in direct {
        for cmd in [
            vec!["check", path],
            vec!["build", path, "-o", "out"],
            vec!["fmt", path],
            vec!["import", path],
        ] {
            let o = wharf_within(&s.work, &cmd, limit);
            assert_eq!(o.status.code(), Some(1), "{cmd:?}: {}", stderr(&o));
            assert_eq!(codes(&o), ["E0106"], "{cmd:?}: {}", stderr(&o));
        }
    }
    // Over the size cap (a sparse file: no disk is used).
    let big = s.work.join("big.wharf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(wharf::driver::MAX_SOURCE_BYTES + 1)
        .unwrap();
    let o = wharf_within(&s.work, &["check", "big.wharf"], limit);
    assert_eq!(codes(&o), ["E0106"], "{}", stderr(&o));
    assert!(stderr(&o).contains("larger than 16 MiB"));
}

#[test]
fn a_diagnostic_quotes_one_line_cut_to_a_sane_width() {
    let s = Scratch::new("width");
    let long = "x".repeat(20_000);
    s.write(
        "long.wharf",
        &format!("// {long}\ntask web {{ cpu 0.25vcpu; memory 512MiB; container app {{ image \"nginx\" }}; {long} }}\n// {long}\n"),
    );
    let o = wharf_in(&s.work, &["check", "long.wharf"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let widest = err.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 600, "a line of {widest} columns:\n{err}");
    assert!(err.len() < 4_000, "{} bytes of diagnostics", err.len());
    assert!(err.contains('…'), "the cut is visible");
    let o = wharf_in(
        &s.work,
        &["check", "long.wharf", "--message-format", "json"],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.len() < 4_000, "{} bytes of JSON diagnostics", out.len());
}

#[test]
fn a_missing_file_is_exit_1_with_a_code_for_every_subcommand() {
    let s = Scratch::new("missing");
    for cmd in [
        vec!["check", "nope.wharf"],
        vec!["build", "nope.wharf", "-o", "out"],
        vec!["fmt", "nope.wharf"],
        vec!["import", "nope.json"],
        vec!["up", "nope.wharf"],
        vec!["up", "nope.json"],
    ] {
        let o = wharf_in(&s.work, &cmd, &[]);
        assert_eq!(o.status.code(), Some(1), "{cmd:?}: {}", stderr(&o));
        assert_eq!(codes(&o), ["E0104"], "{cmd:?}: {}", stderr(&o));
    }
    // No run of that project: its own code, still exit 1.
    for cmd in [vec!["ps", "-p", "nope"], vec!["logs", "-p", "nope"]] {
        let o = wharf_in(&s.work, &cmd, &[]);
        assert_eq!(o.status.code(), Some(1), "{cmd:?}: {}", stderr(&o));
        assert_eq!(codes(&o), ["E0690"], "{cmd:?}: {}", stderr(&o));
    }
    // Usage errors stay exit 2.
    let o = wharf_in(&s.work, &["build"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_that_is_not_a_task_definition_is_a_coded_error() {
    let s = Scratch::new("badjson");
    for (name, text) in [
        ("broken.json", "{ \"family\": "),
        ("binary.json", "\u{1}\u{2}"),
        ("array.json", "[1, 2]"),
        ("object.json", "{\"a\": 1}"),
    ] {
        s.write(name, text);
        let o = wharf_in(&s.work, &["import", name], &[]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert_eq!(codes(&o), ["E0107"], "{name}: {}", stderr(&o));
    }
}

/// `wharf lsp` with no editor to talk to (its input closed): a coded
/// error in the chosen format and exit 1, not a bare message.
#[test]
fn a_language_server_without_an_editor_is_a_coded_error() {
    let s = Scratch::new("lsp-eof");
    let o = wharf_in(&s.work, &["lsp"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0108"], "{}", stderr(&o));
    let o = wharf_in(&s.work, &["lsp", "--message-format", "json"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let line: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("one JSON diagnostic on stdout");
    assert_eq!(line["code"], "E0108");
}

#[test]
fn names_from_templates_and_environments_are_checked() {
    // A template's string parameter becomes a task name (and family).
    let src = "region \"us-east-1\"\ntemplate svc {\n  param name: string\n  task \"${name}\" {\n    cpu 0.25vcpu\n    memory 512MiB\n    container app { image \"nginx\" }\n  }\n}\nuse svc(name: \"../../../evil\")\n";
    assert_refused("template", src, &[], &[], &["E0411"]);
    // An environment replaces an input's default and a task's family.
    let src = format!(
        "input STACK = \"ok\"\nstack \"${{STACK}}\"\n{TASK}environment prod {{\n  input STACK = \"/abs/x\"\n  task web {{ family \"../fam\" }}\n}}\n"
    );
    let src = format!("region \"us-east-1\"\n{src}");
    assert_refused(
        "environment",
        &src,
        &["--env", "prod"],
        &[],
        &["E0216", "E0411"],
    );
}

#[test]
fn a_derived_stack_name_past_the_limit_is_refused() {
    // 600 services pass CloudFormation's 500 resources: the program is split
    // into `<stack>-<service>` stacks, and 100 + 1 + 35 characters is more
    // than a stack name may have.
    let mut src = format!(
        "region \"us-east-1\"\nstack \"{}\"\ncluster main {{ capacity FARGATE }}\n{TASK}",
        "s".repeat(100)
    );
    for i in 0..600 {
        src.push_str(&format!(
            "service service-with-a-rather-long-name-{i:03} in main {{\n  task web\n  subnets [\"subnet-0123456789abcdef0\"]\n}}\n"
        ));
    }
    let s = Scratch::new("derived");
    s.write("app.wharf", &src);
    let before = s.tree();
    let o = wharf_in(
        &s.work,
        &[
            "build",
            "app.wharf",
            "--target",
            "cloudformation",
            "-o",
            "out",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = codes(&o);
    assert!(
        !found.is_empty() && found.iter().all(|c| c == "E0514"),
        "{found:?}"
    );
    assert!(stderr(&o).contains("rather-long-name-000`, which AWS does not accept"));
    assert_eq!(s.tree(), before);
    // The same program with a short stack name splits and builds.
    s.write("app.wharf", &src.replace(&"s".repeat(100), "shop"));
    let o = wharf_in(
        &s.work,
        &[
            "build",
            "app.wharf",
            "--target",
            "cloudformation",
            "-o",
            "out",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.work.join("out/deploy-order.txt").is_file());
}

#[test]
fn names_at_aws_limits_give_coded_errors_not_io_errors() {
    let long = "s".repeat(255);
    // A 255-character service is a valid ECS name, but `services/<name>.json`
    // is not a valid file name.
    let src = program("", "main", &long);
    let s = Scratch::new("longname");
    s.write("app.wharf", &src);
    let before = s.tree();
    let o = wharf_in(&s.work, &["build", "app.wharf", "-o", "out"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0511"], "{}", stderr(&o));
    assert_eq!(s.tree(), before);
    // Its scaling policy, `<service>-memory`, is past the 256 AWS allows.
    let src = src.replace("  task web\n", "  task web\n  autoscale 1..4 memory 70%\n");
    s.write("app.wharf", &src);
    let o = wharf_in(
        &s.work,
        &[
            "build",
            "app.wharf",
            "--target",
            "cloudformation",
            "-o",
            "out",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0514"], "{}", stderr(&o));
    assert!(stderr(&o).contains("262 characters, at most 256"));
}

/// The ECS backend hands files over as it renders them, and they go
/// straight into the staging folder; a refusal found after some of them
/// (a later service's) leaves the previous output exactly as it was and
/// nothing beside it.
#[test]
fn a_build_refused_midway_leaves_the_previous_output_as_it_was() {
    let s = Scratch::new("midway");
    s.write("app.wharf", &program("", "main", "web"));
    let build = || {
        wharf_in(
            &s.work,
            &["build", "app.wharf", "--target", "ecs", "-o", "out"],
            &[],
        )
    };
    assert_eq!(build().status.code(), Some(0));
    let old = s.files("out");
    let before = s.tree();
    // The cluster, task and first service are rendered before the second
    // service is refused.
    let refused = program("", "main", "web")
        + "service zz {\n  task web\n  subnets [\"subnet-0123456789abcdef0\"]\n}\n";
    s.write("app.wharf", &refused);
    let o = build();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["E0520"], "{}", stderr(&o));
    assert_eq!(s.files("out"), old);
    assert_eq!(s.tree(), before, "a staging folder or lock was left");
}
