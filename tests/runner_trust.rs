//! The runner as a user and a hostile tester meet it, with the real binary:
//! the README walkthrough from a copy of the repository layout, a stale pid
//! record naming another process, `kill -9` of the runner then `down`,
//! concurrent `up`, and absurd flag values.

mod common;

use common::{eventually, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Every runner sweeps the cgroups of runs whose runner died when it starts
/// (see `runner::cgroup::create_run`). The tests that kill a runner and then
/// look at what it left take this lock for writing, so that no other test's
/// `up` cleans up after them in between; every `up` takes it for reading.
static RUNNER_STARTS: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn starting_runners() -> std::sync::RwLockReadGuard<'static, ()> {
    RUNNER_STARTS.read().unwrap_or_else(|e| e.into_inner())
}

fn no_runner_starts() -> std::sync::RwLockWriteGuard<'static, ()> {
    RUNNER_STARTS.write().unwrap_or_else(|e| e.into_inner())
}

fn wharf(dir: &Path, args: &[&str]) -> Output {
    let _starting = (args.first() == Some(&"up")).then(starting_runners);
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(dir)
        .env_remove("DB_PASSWORD")
        .arg("--color")
        .arg("never")
        .args(args)
        .output()
        .expect("wharf runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `wharf down` in its directory when dropped, so that a failing test
/// leaves no run behind.
struct DownOnDrop(PathBuf);

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_wharf"))
            .current_dir(&self.0)
            .args(["down", "--timeout", "20s"])
            .output();
    }
}

fn state(dir: &Path) -> PathBuf {
    dir.join(".wharf")
        .join(wharf::runner::project::default_project(dir))
}

fn record(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(state(dir).join("runner.json")).unwrap()).unwrap()
}

/// Live processes whose command line contains `needle`.
fn with_cmdline(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
        {
            continue;
        }
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// Live processes carrying `WHARF_CONTAINER_ID=<run id>/...`.
fn of_run(run_id: &str) -> Vec<u32> {
    let needle = format!("WHARF_CONTAINER_ID={run_id}/");
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
        {
            continue;
        }
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if env
            .split(|b| *b == 0)
            .any(|kv| kv.starts_with(needle.as_bytes()))
        {
            found.push(pid);
        }
    }
    found
}

fn dead(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.is_empty()
        || stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
}

/// The README's "Running locally" commands, run as printed from a copy of
/// the repository layout (the examples folder) with nothing exported.
#[test]
fn readme_walkthrough_works_as_printed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Running locally")
        .nth(1)
        .expect("a Running locally section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its command block");
    let commands: Vec<Vec<String>> = block
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| l.starts_with("wharf "))
        .map(|l| l.split_whitespace().skip(1).map(String::from).collect())
        .collect();
    assert!(commands.len() >= 4, "{block}");

    let dir = scratch("readme").join("wharf");
    let _down = DownOnDrop(dir.clone());
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    for f in std::fs::read_dir(root.join("examples")).unwrap().flatten() {
        if f.file_type().unwrap().is_file() {
            std::fs::copy(f.path(), dir.join("examples").join(f.file_name())).unwrap();
        }
    }
    let mut follower = None;
    let mut run_id = String::new();
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            ["up", .., last] if !args.contains(&"--detach") => {
                // The foreground form: checked elsewhere (Ctrl-C); here it would block.
                assert!(last.ends_with(".wharf"));
            }
            ["up", ..] => {
                let out = wharf(&dir, &args);
                assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
                assert!(
                    text(&out).contains("api 3/3 healthy")
                        && text(&out).contains("listener edge:443 -> http://127.0.0.1:"),
                    "{}",
                    text(&out)
                );
                run_id = record(&dir)["runId"].as_str().unwrap().to_string();
                assert!(!of_run(&run_id).is_empty());
            }
            ["ps", "--format", "json"] => {
                let out = wharf(&dir, &args);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(v["running"], true, "{v}");
                let services: Vec<&str> = v["services"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                assert_eq!(services, ["api", "frontend"], "{v}");
            }
            ["ps", ..] => {
                let out = wharf(&dir, &args);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                let t = text(&out);
                assert!(
                    t.contains("api (3/3)")
                        && t.contains("frontend (2/2)")
                        && t.contains("RUNNING"),
                    "{t}"
                );
                assert!(
                    !t.contains("local-development-only"),
                    "no secret in ps: {t}"
                );
            }
            ["logs", "-f", ..] => {
                follower = Some(
                    Command::new(env!("CARGO_BIN_EXE_wharf"))
                        .current_dir(&dir)
                        .args(["--color", "never"])
                        .args(&args)
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped())
                        .spawn()
                        .unwrap(),
                );
            }
            ["logs", ..] => {
                let out = wharf(&dir, &args);
                assert!(text(&out).contains("task api-1 RUNNING"), "{}", text(&out));
            }
            ["down", ..] => {
                let out = wharf(&dir, &args);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                assert!(text(&out).contains("stopped"), "{}", text(&out));
            }
            other => panic!("the README shows a command this test does not know: {other:?}"),
        }
    }
    assert!(!run_id.is_empty(), "the walkthrough starts a run");
    eventually("no process of the run left", || of_run(&run_id).is_empty());
    if let Some(mut f) = follower {
        eventually("`logs -f` to end with the run", || {
            f.try_wait().unwrap().is_some()
        });
        let out = f.wait_with_output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("api-"),
            "{}",
            text(&out)
        );
    }
    let logs = std::fs::read_to_string(state(&dir).join("logs.jsonl")).unwrap();
    assert!(!logs.contains("local-development-only"));
    let after = text(&wharf(&dir, &["ps"]));
    assert!(after.contains("not running"), "{after}");
    assert!(
        !after.contains("STOPPED  HEALTHY"),
        "a stopped task shows no health: {after}"
    );
}

#[test]
fn a_missing_secret_is_named_before_anything_starts() {
    let dir = scratch("trust-secret");
    let _down = DownOnDrop(dir.clone());
    std::fs::write(
        dir.join("app.wharf"),
        "task t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"x:1\"\n    secret DB_PASSWORD = ssm(\"/app/db\")\n    local \"echo pw=$DB_PASSWORD len=$(printf %s $DB_PASSWORD | wc -c); exec sleep 1000\"\n  }\n}\ncluster c { capacity FARGATE weight 1 }\nservice s in c { task t; count 1; subnets \"subnet-0a1b2c3d4e5f60718\" }\n",
    )
    .unwrap();
    let out = wharf(&dir, &["up", "app.wharf", "--detach", "--wait"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("E0607")
            && t.contains("`DB_PASSWORD` (t/app)")
            && t.contains("--secret DB_PASSWORD="),
        "{t}"
    );
    assert!(!state(&dir).join("runner.json").exists(), "nothing started");
    // A secrets file with a bad line is E0608; a good one is used.
    std::fs::create_dir_all(dir.join(".wharf")).unwrap();
    std::fs::write(dir.join(".wharf/secrets.env"), "DB_PASSWORD hunter2\n").unwrap();
    let out = wharf(&dir, &["up", "app.wharf", "--detach"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("E0608") && text(&out).contains("line 1"),
        "{}",
        text(&out)
    );
    std::fs::write(dir.join(".wharf/secrets.env"), "DB_PASSWORD=from-file\n").unwrap();
    let out = wharf(
        &dir,
        &[
            "up",
            "app.wharf",
            "--detach",
            "--wait",
            "--secret",
            "DB_PASSWORD=hunter2-given",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The given value (13 bytes) wins over the file's (9); the container
    // printing it does not put it in the logs.
    eventually("the given value to win, masked", || {
        text(&wharf(&dir, &["logs"])).contains("pw=*** len=13")
    });
    assert!(!text(&wharf(&dir, &["logs"])).contains("hunter2"));
    for f in ["state.json", "runner.json", "manifest.json", "runner.out"] {
        let content = std::fs::read_to_string(state(&dir).join(f)).unwrap_or_default();
        assert!(!content.contains("hunter2"), "{f} holds no secret value");
    }
    assert!(!text(&wharf(&dir, &["ps", "--json"])).contains("hunter2"));
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// A record naming a live process that is not the runner: `down` must not
/// signal it, whether its start time matches (the lock is free, so the
/// recorded runner is provably gone) or not (the pid was reused).
#[test]
fn a_stale_record_naming_another_process_is_not_signalled() {
    let dir = scratch("trust-stale");
    let _down = DownOnDrop(dir.clone());
    let mut victim = Command::new("sleep").arg("1000").spawn().unwrap();
    let pid = victim.id();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let start: u64 = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .nth(19)
        .unwrap()
        .parse()
        .unwrap();
    let st = state(&dir);
    std::fs::create_dir_all(&st).unwrap();
    for recorded_start in [start + 7, start] {
        std::fs::write(st.join("runner.pid"), format!("{pid}\n")).unwrap();
        std::fs::write(
            st.join("runner.json"),
            serde_json::json!({"pid": pid, "startTime": recorded_start, "runId": "wharf-1-dead", "driver": "process"})
                .to_string(),
        )
        .unwrap();
        let out = wharf(&dir, &["down"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let ps = wharf(&dir, &["ps"]);
        assert!(!text(&ps).contains("panicked"), "{}", text(&ps));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            victim.try_wait().unwrap().is_none(),
            "the unrelated process lives"
        );
    }
    victim.kill().unwrap();
    let _ = victim.wait();
}

/// A container leaving a forked child, a `setsid` child and a `setsid`
/// child with a cleared environment; `tag` makes their command lines unique.
fn escaping_program(dir: &Path, tag: u32) {
    let m = serde_json::json!({"version": 1,
        "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x", "stopTimeoutMs": 3000,
            "local": {"command": format!(
                "sleep {tag}1 & setsid sleep {tag}2 & env -i /bin/sh -c 'setsid sleep {tag}3 &' ; exec sleep {tag}4")}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
}

fn all_four(tag: u32) -> Vec<u32> {
    (1..=4)
        .flat_map(|i| with_cmdline(&format!("sleep {tag}{i}")))
        .collect()
}

#[test]
fn kill_dash_nine_of_the_runner_then_down_leaves_no_process() {
    kill_nine_then_down("trust-kill9", 90_000, &[]);
}

/// The same where no cgroup is used: process groups, the marker and the
/// recorded descendants must do it alone.
#[test]
fn kill_dash_nine_then_down_without_cgroups() {
    kill_nine_then_down("trust-kill9-nocg", 50_000, &["--no-cgroups"]);
}

fn kill_nine_then_down(name: &str, base: u32, extra: &[&str]) {
    let dir = scratch(name);
    let _down = DownOnDrop(dir.clone());
    let tag = base + std::process::id() % 9000;
    escaping_program(&dir, tag);
    let mut args = vec!["up", "m.json", "--detach", "--wait", "--timeout", "120s"];
    args.extend_from_slice(extra);
    let up = wharf(&dir, &args);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    eventually("all four processes", || all_four(tag).len() == 4);
    // The runner records its descendants at least every 500 ms.
    eventually("the descendants recorded", || {
        let pids: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(state(&dir).join("pids.json")).unwrap_or_default(),
        )
        .unwrap_or_default();
        all_four(tag)
            .iter()
            .all(|p| pids.iter().any(|r| r["pid"] == *p))
    });
    let runner = record(&dir)["pid"].as_u64().unwrap() as i32;
    let quiet = no_runner_starts();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(runner),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("the runner to die", || dead(runner as u32));
    assert!(
        !all_four(tag).is_empty(),
        "some processes outlive a killed runner"
    );
    let ps = text(&wharf(&dir, &["ps"]));
    assert!(ps.contains("not running"), "{ps}");
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert!(text(&down).contains("finished its run"), "{}", text(&down));
    eventually("no process of the run left", || all_four(tag).is_empty());
    drop(quiet);
    let again = text(&wharf(&dir, &["down"]));
    assert!(again.contains("nothing is running"), "{again}");
}

#[test]
fn graceful_down_leaves_no_setsid_or_env_cleared_process() {
    graceful_down("trust-graceful", 80_000, &[]);
}

#[test]
fn graceful_down_without_cgroups() {
    graceful_down("trust-graceful-nocg", 40_000, &["--no-cgroups"]);
}

fn graceful_down(name: &str, base: u32, extra: &[&str]) {
    let dir = scratch(name);
    let _down = DownOnDrop(dir.clone());
    let tag = base + std::process::id() % 9000;
    escaping_program(&dir, tag);
    let mut args = vec!["up", "m.json", "--detach", "--wait", "--timeout", "120s"];
    args.extend_from_slice(extra);
    let up = wharf(&dir, &args);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    eventually("all four processes", || all_four(tag).len() == 4);
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    eventually("no process of the run left", || all_four(tag).is_empty());
}

#[test]
fn a_killed_runner_is_finished_by_the_next_up() {
    let dir = scratch("trust-next-up");
    let _down = DownOnDrop(dir.clone());
    let tag = 70_000 + std::process::id() % 9000;
    escaping_program(&dir, tag);
    let up = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    eventually("all four processes", || all_four(tag).len() == 4);
    let old: Vec<u32> = all_four(tag);
    let runner = record(&dir)["pid"].as_u64().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(runner),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("the runner to die", || dead(runner as u32));
    let up = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    assert!(text(&up).contains("had lost its runner"), "{}", text(&up));
    eventually("the old run's processes gone", || {
        old.iter().all(|p| dead(*p))
    });
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    eventually("no process left", || all_four(tag).is_empty());
}

#[test]
fn concurrent_ups_start_one_runner_and_down_stops_it() {
    let dir = scratch("trust-concurrent");
    let _down = DownOnDrop(dir.clone());
    let tag = 60_000 + std::process::id() % 9000;
    escaping_program(&dir, tag);
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_wharf"))
            .current_dir(&dir)
            .args([
                "--color",
                "never",
                "up",
                "m.json",
                "--detach",
                "--wait",
                "--timeout",
                "120s",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let _starting = starting_runners();
    let children: Vec<_> = (0..3).map(|_| spawn()).collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let ok = outs.iter().filter(|o| o.status.code() == Some(0)).count();
    let refused: Vec<&Output> = outs.iter().filter(|o| o.status.code() == Some(1)).collect();
    assert_eq!(ok, 1, "{:?}", outs.iter().map(text).collect::<Vec<_>>());
    assert_eq!(refused.len(), 2);
    for r in refused {
        assert!(text(r).contains("E0606"), "{}", text(r));
    }
    eventually("one task's processes", || all_four(tag).len() == 4);
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    eventually("no process left", || all_four(tag).is_empty());
}

#[test]
fn absurd_durations_are_usage_errors_not_panics() {
    let dir = scratch("trust-duration");
    let _down = DownOnDrop(dir.clone());
    for args in [
        &["down", "--timeout", "18446744073709551615h"][..],
        &[
            "up",
            "m.json",
            "--detach",
            "--wait",
            "--timeout",
            "99999999999999999m",
        ][..],
    ] {
        let out = wharf(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("too long"), "{}", text(&out));
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
    }
    let out = wharf(&dir, &["ps", "-p", "../../etc"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// `yes` and a 200 MB line without a newline, for 5 s: the runner's memory
/// and its log files stay bounded (`--log-max-size 1m --log-max-file 3`).
#[test]
fn a_log_flood_keeps_memory_and_disk_bounded() {
    let dir = scratch("trust-flood");
    let _down = DownOnDrop(dir.clone());
    let m = serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
        {"name": "yes", "image": "x", "stopTimeoutMs": 2000, "local": {"command": "exec yes"}},
        {"name": "long", "image": "x", "essential": false, "stopTimeoutMs": 2000,
         "local": {"command": "head -c 200000000 /dev/zero | tr '\\0' x; exec sleep 1000"}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let up = wharf(
        &dir,
        &[
            "up",
            "m.json",
            "--detach",
            "--log-max-size",
            "1m",
            "--log-max-file",
            "3",
        ],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    let runner = record(&dir)["pid"].as_u64().unwrap() as u32;
    let logs = state(&dir).join("logs.jsonl");
    eventually("the first rotation", || {
        wharf::runner::rotated_log(&logs, 1).exists()
    });
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut max_rss = 0;
    let mut max_disk = 0;
    while std::time::Instant::now() < until {
        max_rss = max_rss.max(rss_kib(runner));
        let disk: u64 = std::fs::read_dir(state(&dir))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("logs.jsonl"))
            .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
            .sum();
        max_disk = max_disk.max(disk);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    eprintln!("log flood: runner RSS at most {max_rss} KiB, log files at most {max_disk} bytes");
    assert!(
        !wharf::runner::rotated_log(&logs, 3).exists(),
        "at most 3 files"
    );
    // Three files of at most 1 MiB each (a line is at most 16 KiB of text).
    assert!(
        max_disk <= 3 * (1 << 20),
        "log files grew to {max_disk} bytes"
    );
    assert!(
        max_rss > 0 && max_rss < 64 * 1024,
        "runner RSS reached {max_rss} KiB"
    );
    let read = wharf(&dir, &["logs", "s"]);
    let t = String::from_utf8_lossy(&read.stdout);
    // Whichever container filled the kept files, its lines read back; the
    // 200 MB line comes back in pieces of at most 16 KiB.
    assert!(
        t.lines().any(|l| l.ends_with("| y") || l.ends_with("xxxx")),
        "the flood is readable"
    );
    assert!(
        t.lines().all(|l| l.len() <= 16 * 1024 + 64),
        "no line longer than 16 KiB"
    );
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// Volumes are directories: a task volume is shared by the task's
/// containers and removed with the task; a shared (EFS) volume is one
/// directory for every task naming the same file system, kept after the run.
#[test]
fn volumes_are_directories_the_containers_are_told_about() {
    let dir = scratch("trust-volumes");
    let _down = DownOnDrop(dir.clone());
    let m = serde_json::json!({"version": 1,
        "tasks": [{"family": "t",
            "volumes": [{"name": "scratch", "scope": "task"},
                        {"name": "files", "scope": "shared", "key": "efs:fs-1:/"}],
            "containers": [
                {"name": "writer", "image": "x", "stopTimeoutMs": 2000,
                 "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/data"},
                                 {"sourceVolume": "files", "containerPath": "/files"}],
                 "local": {"command": "echo hi-$WHARF_TASK_ID > $WHARF_VOLUME_SCRATCH/note; echo $WHARF_TASK_ID >> $WHARF_VOLUME_FILES/tasks; exec sleep 1000"}},
                {"name": "reader", "image": "x", "essential": false, "stopTimeoutMs": 2000,
                 "dependsOn": [{"containerName": "writer", "condition": "START"}],
                 "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/data", "readOnly": true}],
                 "local": {"command": "while [ ! -s $WHARF_VOLUME_SCRATCH/note ]; do sleep 0.1; done; echo read-$(cat $WHARF_VOLUME_SCRATCH/note); exec sleep 1000"}}]}],
        "services": [{"name": "s", "task": "t", "desiredCount": 2}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let up = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    eventually("each reader to see its own task's file", || {
        let logs = text(&wharf(&dir, &["logs"]));
        logs.contains("read-hi-s-1") && logs.contains("read-hi-s-2")
    });
    let logs = text(&wharf(&dir, &["logs"]));
    let volumes = state(&dir).join("volumes");
    let task_dir = std::fs::canonicalize(volumes.join("tasks/s-1/scratch")).unwrap();
    assert!(
        logs.contains(&format!(
            "container writer volume `scratch` is {} ($WHARF_VOLUME_SCRATCH; the process driver cannot mount it at /data)",
            task_dir.display()
        )),
        "{logs}"
    );
    assert!(logs.contains("nor make it read-only"), "{logs}");
    let shared = volumes.join("shared/efs_fs-1__");
    eventually("both tasks in the shared volume", || {
        let t = std::fs::read_to_string(shared.join("tasks")).unwrap_or_default();
        t.contains("s-1") && t.contains("s-2")
    });
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert!(!task_dir.exists(), "a task volume ends with its task");
    assert!(
        shared.join("tasks").exists(),
        "a shared volume outlives the run"
    );
}

#[test]
fn a_mount_of_an_unknown_volume_is_e0601() {
    let dir = scratch("trust-volume-bad");
    let m = serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
        {"name": "app", "image": "x", "mountPoints": [{"sourceVolume": "nope", "containerPath": "/d"}],
         "local": {"command": "sleep 1"}}]}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let out = wharf(&dir, &["up", "m.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("E0601") && text(&out).contains("mounts unknown volume `nope`"),
        "{}",
        text(&out)
    );
}

/// A container port something else holds on every address: `up --wait`
/// names the port instead of only timing out, and so does `ps`.
#[test]
fn a_taken_container_port_is_named() {
    let dir = scratch("trust-port");
    let _down = DownOnDrop(dir.clone());
    let busy = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let m = serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
        {"name": "app", "image": "x", "portMappings": [{"containerPort": port}],
         "local": {"command": "exec sleep 1000"}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let out = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "3s"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("E0605") && t.contains(&format!("port {port} is taken")),
        "{t}"
    );
    let ps = text(&wharf(&dir, &["ps"]));
    assert!(
        ps.contains(&format!(
            "service s cannot start a task: port {port} is taken"
        )),
        "{ps}"
    );
    drop(busy);
}

/// Every file under `dir`, recursively, as bytes.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(all_files(&p)),
            Ok(t) if t.is_file() => out.push((p.clone(), std::fs::read(&p).unwrap_or_default())),
            _ => {}
        }
    }
    out
}

/// A container that prints its secret, binary bytes, ANSI escapes and a
/// 100 000-byte line without a newline, run from a directory whose name has
/// spaces, quotes and non-ASCII letters: the secret's value is masked (`***`)
/// in `wharf logs`, `wharf ps` and every file of the state directory, the
/// long line is kept in 16 KiB pieces, and `logs`, `ps` and `down` succeed.
#[test]
fn a_secret_a_container_prints_is_masked_and_odd_output_is_kept() {
    let dir = scratch("trust odd 'é $x");
    let _down = DownOnDrop(dir.clone());
    let value = "tok-8f2b9c71d5e0";
    let m = serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
        {"name": "app", "image": "x", "stopTimeoutMs": 3000,
         "secrets": [{"name": "API_TOKEN", "valueFrom": {"kind": "env", "var": "API_TOKEN"}}],
         "local": {"command": "echo \"token=$API_TOKEN and again $API_TOKEN\"; printf 'bin \\000\\001\\377 \\033[31mred\\033[0m\\n'; head -c 100000 /dev/zero | tr '\\000' a; echo; echo done; exec sleep 1000"}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let secret = format!("API_TOKEN={value}");
    let up = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--secret", &secret],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    eventually("the container's last line", || {
        String::from_utf8_lossy(&wharf(&dir, &["logs"]).stdout).contains("| done")
    });
    let logs = wharf(&dir, &["logs"]);
    assert_eq!(logs.status.code(), Some(0), "{}", text(&logs));
    let printed = String::from_utf8_lossy(&logs.stdout).to_string();
    assert!(printed.contains("token=*** and again ***"), "{printed}");
    assert!(printed.contains("\u{1b}[31mred"), "ANSI is kept as written");
    let pieces: Vec<usize> = printed
        .lines()
        .filter_map(|l| l.split_once("| ").map(|(_, t)| t))
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b == b'a'))
        .map(str::len)
        .collect();
    assert_eq!(pieces, [16384, 16384, 16384, 16384, 16384, 16384, 1696]);
    let ps = wharf(&dir, &["ps", "--json"]);
    assert_eq!(ps.status.code(), Some(0), "{}", text(&ps));
    for o in [&logs, &ps] {
        assert!(!text(o).contains(value), "{}", text(o));
    }
    for (path, bytes) in all_files(&dir.join(".wharf")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(value),
            "{} holds the secret's value",
            path.display()
        );
    }
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// A symbolic link where the state lives (a planted `logs.jsonl`, or
/// `.wharf` itself) is refused with E0609 before anything starts, and the
/// file it points at is untouched.
#[test]
fn a_link_in_the_state_directory_is_refused() {
    let dir = scratch("trust-links");
    let _down = DownOnDrop(dir.clone());
    std::fs::write(
        dir.join("m.json"),
        serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
            {"name": "app", "image": "x", "local": {"command": "echo hello; exec sleep 1000"}}]}],
            "services": [{"name": "s", "task": "t"}]})
        .to_string(),
    )
    .unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let st = state(&dir);
    std::fs::create_dir_all(&st).unwrap();
    std::os::unix::fs::symlink(&victim, st.join("logs.jsonl")).unwrap();
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for args in [
        &["up", "m.json", "--detach", "--wait"][..],
        &["up", "m.json", "--detach"][..],
    ] {
        let out = wharf(&dir, args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("E0609") && text(&out).contains("logs.jsonl"),
            "{}",
            text(&out)
        );
        assert!(!st.join("runner.json").exists(), "no runner started");
    }
    std::fs::remove_dir_all(dir.join(".wharf")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join(".wharf")).unwrap();
    let out = wharf(&dir, &["up", "m.json", "--detach"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("E0609"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    std::fs::remove_file(dir.join(".wharf")).unwrap();
}

/// A container command that does not exist is a stop reason with ECS's
/// wording and `--wait` fails with E0605 naming it; `down` then stops the
/// run with nothing left.
#[test]
fn a_missing_container_binary_is_a_coded_failure() {
    let dir = scratch("trust-missing-bin");
    let _down = DownOnDrop(dir.clone());
    std::fs::write(
        dir.join("m.json"),
        serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [
            {"name": "app", "image": "x", "local": {"command": ["/nonexistent/wharf-test-binary", "x"]}}]}],
            "services": [{"name": "s", "task": "t"}]})
        .to_string(),
    )
    .unwrap();
    let out = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "3s"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("E0605")
            && t.contains("CannotStartContainerError")
            && t.contains("/nonexistent/wharf-test-binary"),
        "{t}"
    );
    let run_id = record(&dir)["runId"].as_str().unwrap().to_string();
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert!(of_run(&run_id).is_empty());
}

/// A secrets file or a file secret that never ends (`/dev/zero`), would
/// block (a FIFO with no writer) or is huge is a coded error (E0608 for a
/// secrets file, E0607 for a secret), never a hang or unbounded memory.
#[test]
fn endless_or_blocking_secret_files_are_refused() {
    let dir = scratch("trust-endless-secrets");
    let _down = DownOnDrop(dir.clone());
    let fifo = dir.join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let big = dir.join("big.env");
    std::fs::write(&big, "A=".to_string() + &"x".repeat(2 * 1024 * 1024)).unwrap();
    let program = |secret_path: Option<&str>| {
        let mut c = serde_json::json!({"name": "app", "image": "x", "local": {"command": "exec sleep 1000"}});
        if let Some(p) = secret_path {
            c["secrets"] =
                serde_json::json!([{"name": "TOKEN", "valueFrom": {"kind": "file", "path": p}}]);
        }
        std::fs::write(
            dir.join("m.json"),
            serde_json::json!({"version": 1, "tasks": [{"family": "t", "containers": [c]}],
                "services": [{"name": "s", "task": "t"}]})
            .to_string(),
        )
        .unwrap();
    };
    program(None);
    for file in [
        Path::new("/dev/zero"),
        fifo.as_path(),
        big.as_path(),
        dir.as_path(),
    ] {
        let out = wharf(
            &dir,
            &[
                "up",
                "m.json",
                "--detach",
                "--secrets-file",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("E0608"), "{}", text(&out));
    }
    for file in ["/dev/zero", fifo.to_str().unwrap()] {
        program(Some(file));
        let out = wharf(&dir, &["up", "m.json", "--detach"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("E0607") && text(&out).contains("not a regular file"),
            "{}",
            text(&out)
        );
    }
    assert!(!state(&dir).join("runner.json").exists(), "nothing started");
}
