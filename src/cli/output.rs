//! Writes a build's artifacts to the output folder (`-o`), all or nothing.
//! Stage: cli (the only layer that touches files). Input: the folder and the
//! artifacts of one emit, each as the backend renders it ([`Staged`]).
//! Output: the folder holding exactly those files plus the marker
//! `.wharf-output`, or an [`OutputError`] (or a failed emit) and the folder
//! as it was.
//!
//! How, with `-o DIR`:
//! 1. When the first artifact comes, `DIR`'s parent is created if missing,
//!    and the lock file `.DIR.wharf-lock` beside `DIR` is taken with
//!    `flock`; a second build to the same folder is refused (E0513) instead
//!    of interleaving. The lock file is removed when the build ends.
//! 2. What an interrupted build left beside `DIR` (`.DIR.wharf-tmp-*`
//!    staging folders, `.DIR.wharf-old-*` previous sets) is removed: only
//!    the build holding the lock can be using them.
//! 3. An existing `DIR` must be empty, or carry the marker `.wharf-output`
//!    and hold only files it lists (links, which Wharf never writes,
//!    included); otherwise it is refused (E0512): a file Wharf did not write
//!    is never deleted, nor followed.
//! 4. Every artifact path must stay strictly inside `DIR`: relative, no `..`,
//!    no root, nothing that names the marker, no name over 255 bytes (E0511). The checker already
//!    refuses names AWS would refuse; this is the second line of defence.
//! 5. Each artifact is written as it comes to a fresh staging folder
//!    `.DIR.wharf-tmp-PID` beside `DIR` (same file system); an error, or a
//!    failed emit, removes that folder. At the end the marker is written and
//!    the set swapped in with one atomic `renameat2(RENAME_EXCHANGE)` where the system has it,
//!    so `DIR` is at every instant the complete old or the complete new set;
//!    elsewhere two renames leave `DIR` missing (never mixed) for an instant.
//!    The old set is then removed. A file of a removed service does not
//!    survive a rebuild, and the same program gives the same bytes. A file
//!    whose bytes did not change is hard-linked from the old set instead of
//!    written (only a regular file reached through real folders, checked on
//!    the handle): most of the cost of 20,000 files is allocating and
//!    freeing their inodes, which a small change then avoids.
//!
//! An existing `DIR` that cannot be renamed (a mount point, such as a
//! container volume, or a folder whose parent this process cannot write) is
//! replaced in place instead: the lock is `DIR/.wharf-lock`, the set is
//! staged in `DIR/.wharf-tmp-PID`, the old entries are removed, the new ones
//! moved in and the marker replaced last. That is all or nothing across an
//! interruption (the next build cleans up), but not at every instant.
//!
//! No file is synced: a crash may lose the new set, never mix the two.

use crate::diag::Code;
use crate::emit::Artifact;
use std::fs::File;
use std::path::{Component, Path, PathBuf};

/// The marker file in every folder Wharf writes: the list of files written.
pub const MARKER: &str = ".wharf-output";

/// The longest file name (one path component) file systems accept, in bytes.
pub const MAX_FILE_NAME: usize = 255;

/// Why the output could not be written; the folder is as it was.
#[derive(Debug)]
pub struct OutputError {
    pub code: Code,
    pub message: String,
    pub help: String,
}

impl OutputError {
    fn io(what: String, path: &Path, e: &std::io::Error) -> OutputError {
        OutputError {
            code: Code::OutputWrite,
            message: format!("cannot {what} `{}`: {e}", path.display()),
            help: "check that the folder given with `-o` and its parent are writable".into(),
        }
    }
}

/// The staging, leftover and lock names of one output folder.
struct Names {
    /// Where the staging folder, the leftovers and the lock are: beside the
    /// output folder, or inside it in place mode.
    scratch: PathBuf,
    out: PathBuf,
    lock: PathBuf,
    tmp_prefix: String,
    old_prefix: String,
    /// The output folder is a mount point, or its parent cannot be written:
    /// it cannot be swapped, so its content is replaced in place.
    in_place: bool,
}

impl Names {
    fn new(out: &Path) -> Result<Names, OutputError> {
        let not_a_folder = || OutputError {
            code: Code::OutputNotOwned,
            message: format!("`{}` cannot be an output folder", out.display()),
            help: "give `-o` a folder of its own, such as `-o out`".into(),
        };
        let absolute =
            std::path::absolute(out).map_err(|e| OutputError::io("resolve".into(), out, &e))?;
        // An existing folder (or a link to one, or `-o .`) is resolved to
        // where it is; a new one is named in its resolved parent, created
        // if missing.
        let resolved = if std::fs::symlink_metadata(&absolute).is_ok() {
            absolute
                .canonicalize()
                .map_err(|e| OutputError::io("resolve".into(), &absolute, &e))?
        } else {
            let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
                return Err(not_a_folder());
            };
            std::fs::create_dir_all(parent)
                .map_err(|e| OutputError::io("create".into(), parent, &e))?;
            parent
                .canonicalize()
                .map_err(|e| OutputError::io("resolve".into(), parent, &e))?
                .join(name)
        };
        let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
            return Err(not_a_folder());
        };
        let name = name.to_string_lossy();
        if cannot_swap(&resolved, parent) {
            return Ok(Names {
                scratch: resolved.clone(),
                lock: resolved.join(".wharf-lock"),
                tmp_prefix: ".wharf-tmp-".into(),
                old_prefix: ".wharf-old-".into(),
                out: resolved.clone(),
                in_place: true,
            });
        }
        Ok(Names {
            scratch: parent.to_path_buf(),
            lock: parent.join(format!(".{name}.wharf-lock")),
            tmp_prefix: format!(".{name}.wharf-tmp-"),
            old_prefix: format!(".{name}.wharf-old-"),
            out: resolved.clone(),
            in_place: false,
        })
    }
}

/// An existing output folder that is a mount point (another file system
/// than its parent's: a container volume) or whose parent this process
/// cannot write cannot be renamed.
fn cannot_swap(out: &Path, parent: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return false;
    };
    if !meta.is_dir() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::MetadataExt;
        let other_fs = std::fs::metadata(parent).is_ok_and(|p| p.dev() != meta.dev());
        let writable = std::ffi::CString::new(parent.as_os_str().as_bytes()).is_ok_and(|c| {
            // SAFETY: a valid NUL-terminated path; access only reads it.
            unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
        });
        other_fs || !writable
    }
    #[cfg(not(unix))]
    {
        let _ = parent;
        false
    }
}

/// Writes `artifacts` to `out` as described in the module comment.
pub fn write_output(out: &Path, artifacts: &[Artifact]) -> Result<(), OutputError> {
    let mut staged = Staged::new(out);
    for a in artifacts {
        staged.put(a)?;
    }
    staged.finish().map(|_| ())
}

/// An output set being written, one artifact at a time, as a backend
/// renders them: the lock is taken and the staging folder made at the first
/// artifact; [`Staged::finish`] puts the set in place. Dropped unfinished
/// (an error, a failed build), it removes the staging folder and releases
/// the lock: the output folder is as it was.
pub struct Staged {
    out: PathBuf,
    /// The names to use instead of those of `out` (a test's in-place mode).
    names: Option<Names>,
    open: Option<Open>,
    seen: std::collections::HashSet<String>,
    listed: Vec<String>,
    made: std::collections::HashSet<PathBuf>,
    real_dirs: std::collections::HashMap<PathBuf, bool>,
}

/// The lock and folders of a set being staged.
struct Open {
    names: Names,
    lock: Option<Lock>,
    staging: PathBuf,
    /// The set Wharf wrote before, whose unchanged files are linked.
    old: Option<PathBuf>,
}

impl Staged {
    pub fn new(out: &Path) -> Staged {
        Staged {
            out: out.to_path_buf(),
            names: None,
            open: None,
            seen: Default::default(),
            listed: Vec::new(),
            made: Default::default(),
            real_dirs: Default::default(),
        }
    }

    fn open(&mut self) -> Result<&Open, OutputError> {
        if self.open.is_none() {
            let names = match self.names.take() {
                Some(names) => names,
                None => Names::new(&self.out)?,
            };
            let lock = Lock::take(&names)?;
            let mut open = Open {
                staging: names
                    .scratch
                    .join(format!("{}{}", names.tmp_prefix, std::process::id())),
                names,
                lock: Some(lock),
                old: None,
            };
            // From here on, dropping `open` releases the lock.
            open.old = check_owned(&open.names)?.then(|| open.names.out.clone());
            clean_leftovers(&open.names);
            std::fs::create_dir(&open.staging)
                .map_err(|e| OutputError::io("create".into(), &open.staging, &e))?;
            self.open = Some(open);
        }
        Ok(self.open.as_ref().expect("opened above"))
    }

    /// Writes one artifact into the staging folder. A file whose bytes are
    /// those of the same file in the old set is linked rather than written:
    /// a rebuild that changes little then allocates and frees few inodes,
    /// which is most of the cost of writing 20,000 files.
    pub fn put(&mut self, a: &Artifact) -> Result<(), OutputError> {
        let rel = check_path(a, &mut self.seen)?;
        self.open()?;
        let open = self.open.as_ref().expect("opened above");
        let dest = open.staging.join(&rel);
        if let Some(dir) = rel.parent().filter(|d| !d.as_os_str().is_empty()) {
            if self.made.insert(dir.to_path_buf()) {
                std::fs::create_dir_all(open.staging.join(dir))
                    .map_err(|e| OutputError::io("create".into(), &open.staging.join(dir), &e))?;
            }
        }
        self.listed.push(a.path.clone());
        if let Some(old) = &open.old {
            if reuse(old, &rel, a.contents.as_bytes(), &dest, &mut self.real_dirs) {
                return Ok(());
            }
        }
        std::fs::write(&dest, &a.contents).map_err(|e| OutputError::io("write".into(), &dest, &e))
    }

    /// Writes the marker and puts the staged set in place of the output
    /// folder; the number of files written.
    pub fn finish(mut self) -> Result<usize, OutputError> {
        self.open()?;
        let mut open = self.open.take().expect("opened above");
        self.listed.sort_unstable();
        let mut marker = String::from(
            "# Written by `wharf build`; the next build replaces this folder as a whole.\n",
        );
        for p in &self.listed {
            marker.push_str(p);
            marker.push('\n');
        }
        let path = open.staging.join(MARKER);
        let result = std::fs::write(&path, marker)
            .map_err(|e| OutputError::io("write".into(), &path, &e))
            .and_then(|()| {
                if open.names.in_place {
                    replace_in_place(&open.names, &open.staging)
                } else {
                    swap(&open.names, &open.staging)
                }
            });
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&open.staging);
        }
        if let Some(lock) = open.lock.take() {
            lock.release();
        }
        result.map(|()| self.listed.len())
    }
}

impl Drop for Open {
    /// Unfinished: the staging folder goes, the lock is released.
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            let _ = std::fs::remove_dir_all(&self.staging);
            lock.release();
        }
    }
}

/// An artifact path as a relative path strictly inside the output folder,
/// not given before.
fn check_path(
    a: &Artifact,
    seen: &mut std::collections::HashSet<String>,
) -> Result<PathBuf, OutputError> {
    let path = Path::new(&a.path);
    let inside = !a.path.is_empty()
        && !a.path.contains('\0')
        && !a.path.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)))
        && !path
            .components()
            .next()
            .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with(".wharf"));
    if !inside {
        return Err(OutputError {
            code: Code::OutputPathEscapes,
            message: format!("refusing to write `{}`: it is not a path inside the output folder", a.path),
            help: "an output file name comes from a name in the program; give the stack, cluster, service or task a name of letters, digits, `-` and `_`".into(),
        });
    }
    // File systems allow 255 bytes per name; an AWS name may have 255
    // characters before `.json` is added.
    if let Some(long) = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .find(|c| c.len() > MAX_FILE_NAME)
    {
        let head: String = long.chars().take(40).collect();
        return Err(OutputError {
            code: Code::OutputPathEscapes,
            message: format!(
                "the output file `{head}…` would have a name of {} bytes; file systems allow {MAX_FILE_NAME}",
                long.len()
            ),
            help: "output files are named after the stack, clusters, services and task families; shorten the name it comes from".into(),
        });
    }
    if !seen.insert(a.path.clone()) {
        return Err(OutputError {
            code: Code::OutputPathEscapes,
            message: format!("two outputs would both be written to `{}`", a.path),
            help: "give the declarations that share this file name different names".into(),
        });
    }
    Ok(path.to_path_buf())
}

/// An existing output folder must be empty or carry Wharf's marker; true
/// when it holds a set Wharf wrote.
fn check_owned(names: &Names) -> Result<bool, OutputError> {
    let out = names.out.as_path();
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(OutputError::io("read".into(), out, &e)),
    };
    let refuse = |what: &str| {
        OutputError {
        code: Code::OutputNotOwned,
        message: format!("`{}` {what}, and Wharf did not write it", out.display()),
        help: format!(
            "Wharf replaces its output folder as a whole; give `-o` an empty or new folder, or remove `{}` yourself if nothing in it is needed",
            out.display()
        ),
    }
    };
    if !meta.is_dir() {
        return Err(refuse("is not a folder"));
    }
    let listed = read_marker(&out.join(MARKER));
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| OutputError::io("read".into(), &dir, &e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // What Wharf itself leaves: the lock and leftovers in place
            // mode, temporary files of older versions.
            let leftover = (names.in_place
                && dir == out
                && (path == names.lock
                    || name.starts_with(&names.tmp_prefix)
                    || name.starts_with(&names.old_prefix)))
                || name.contains(".wharf-tmp-");
            if leftover {
                continue;
            }
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(out).unwrap_or(&path);
            let known = rel == Path::new(MARKER)
                || listed
                    .as_ref()
                    .is_some_and(|l| l.contains(rel.to_string_lossy().as_ref()));
            if !known {
                return Err(match &listed {
                    None => refuse("is not empty"),
                    Some(_) => OutputError {
                        code: Code::OutputNotOwned,
                        message: format!(
                            "`{}` holds `{}`, which Wharf did not write",
                            out.display(),
                            rel.display()
                        ),
                        help: format!(
                            "Wharf replaces its output folder as a whole; move `{}` out of it, or build to another folder",
                            rel.display()
                        ),
                    },
                });
            }
        }
    }
    Ok(listed.is_some())
}

/// The files a marker lists; `None` if there is no marker.
fn read_marker(path: &Path) -> Option<std::collections::HashSet<String>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// Removes the staging and old folders an interrupted build left beside `out`.
fn clean_leftovers(names: &Names) {
    let Ok(entries) = std::fs::read_dir(&names.scratch) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&names.tmp_prefix) || name.starts_with(&names.old_prefix) {
            let path = entry.path();
            let _ = match entry.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
                _ => std::fs::remove_file(&path),
            };
        }
    }
}

/// Links `old/rel` to `dest` if it is a regular file inside `old` (no link
/// on the way) holding exactly `contents`; false if anything differs.
fn reuse(
    old: &Path,
    rel: &Path,
    contents: &[u8],
    dest: &Path,
    real_dirs: &mut std::collections::HashMap<PathBuf, bool>,
) -> bool {
    use std::io::Read;
    // Every folder between `old` and the file must be a real folder.
    let mut dir = PathBuf::new();
    for part in rel.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        let ok = *real_dirs.entry(dir.clone()).or_insert_with(|| {
            std::fs::symlink_metadata(old.join(&dir)).is_ok_and(|m| m.file_type().is_dir())
        });
        if !ok {
            return false;
        }
    }
    let src = old.join(rel);
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let Ok(file) = options.open(&src) else {
        return false;
    };
    let Ok(meta) = file.metadata() else {
        return false;
    };
    if !meta.is_file() || meta.len() != contents.len() as u64 {
        return false;
    }
    // Compared a chunk at a time: a large file (the local manifest is 22 MB
    // at 10,000 services) is not held twice.
    let mut file = file.take(contents.len() as u64 + 1);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut at = 0;
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if contents.get(at..at + n) != Some(&chunk[..n]) {
            return false;
        }
        at += n;
    }
    if at != contents.len() {
        return false;
    }
    if std::fs::hard_link(&src, dest).is_err() {
        return false;
    }
    // The name may have been swapped since it was read: keep the link only
    // if it is the very file compared.
    if same_inode(&meta, dest) {
        return true;
    }
    let _ = std::fs::remove_file(dest);
    false
}

#[cfg(unix)]
fn same_inode(meta: &std::fs::Metadata, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.dev() == meta.dev() && m.ino() == meta.ino())
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &Path) -> bool {
    false
}

/// Puts `staging` in place of the output folder and removes the old set.
fn swap(names: &Names, staging: &Path) -> Result<(), OutputError> {
    let out = &names.out;
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_dir_all(staging);
        OutputError::io("replace".into(), out, &e)
    };
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staging, out).map_err(fail);
    }
    if exchange(staging, out).is_ok() {
        // `staging` now holds the old set.
        let _ = std::fs::remove_dir_all(staging);
        return Ok(());
    }
    let old = names
        .scratch
        .join(format!("{}{}", names.old_prefix, std::process::id()));
    std::fs::rename(out, &old).map_err(fail)?;
    if let Err(e) = std::fs::rename(staging, out) {
        // Put the old set back: the folder stays as it was.
        let _ = std::fs::rename(&old, out);
        return Err(fail(e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Replaces the content of an output folder that cannot be renamed with
/// the set staged inside it: the old entries go, the new ones are moved in,
/// and the marker is replaced last, so that an interrupted build leaves a
/// marked folder the next build cleans. Not atomic: for an instant the
/// folder holds part of the set.
fn replace_in_place(names: &Names, staging: &Path) -> Result<(), OutputError> {
    let out = &names.out;
    let io = |what: &str, p: &Path, e: std::io::Error| OutputError::io(what.into(), p, &e);
    let keep = |p: &Path| p == staging || p == names.lock || p == out.join(MARKER);
    for entry in std::fs::read_dir(out)
        .map_err(|e| io("read", out, e))?
        .flatten()
    {
        let path = entry.path();
        if keep(&path) {
            continue;
        }
        let removed = match entry.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        removed.map_err(|e| io("remove", &path, e))?;
    }
    for entry in std::fs::read_dir(staging)
        .map_err(|e| io("read", staging, e))?
        .flatten()
    {
        if entry.file_name() == MARKER {
            continue;
        }
        let to = out.join(entry.file_name());
        std::fs::rename(entry.path(), &to).map_err(|e| io("move", &to, e))?;
    }
    let marker = out.join(MARKER);
    std::fs::rename(staging.join(MARKER), &marker).map_err(|e| io("write", &marker, e))?;
    let _ = std::fs::remove_dir_all(staging);
    Ok(())
}

/// Swaps two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // like `rename` does.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The `flock` on `.DIR.wharf-lock`, held for the whole write.
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    fn take(names: &Names) -> Result<Lock, OutputError> {
        let busy = || OutputError {
            code: Code::OutputBusy,
            message: format!(
                "another `wharf build` is writing to `{}`",
                names.out.display()
            ),
            help: format!(
                "wait for it to finish, or build to another folder; the lock is `{}`",
                names.lock.display()
            ),
        };
        // The file may be removed by the build that held it just before we
        // locked it: then it is no longer the lock, and we try again.
        for _ in 0..8 {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&names.lock)
                .map_err(|e| OutputError::io("create".into(), &names.lock, &e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Err(busy()),
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(OutputError::io("lock".into(), &names.lock, &e))
                }
            }
            if same_file(&file, &names.lock) {
                return Ok(Lock {
                    file,
                    path: names.lock.clone(),
                });
            }
        }
        Err(busy())
    }

    /// Removes the lock file while holding the lock, then releases it.
    fn release(self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str, contents: &str) -> Artifact {
        Artifact {
            path: path.into(),
            contents: contents.into(),
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
                if e.file_type().unwrap().is_dir() {
                    stack.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// A rebuild links an unchanged file from the previous build (the same
    /// inode) and writes a changed one, even one of the same length that
    /// differs only past the first chunks compared.
    #[cfg(unix)]
    #[test]
    fn a_rebuild_reuses_exactly_the_unchanged_files() {
        use std::os::unix::fs::MetadataExt;
        let root = std::env::temp_dir().join(format!("wharf-reuse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let out = root.join("out");
        let big = "x".repeat(200 * 1024);
        let mut changed = big.clone();
        changed.replace_range(big.len() - 1.., "y");
        let build = |arts: &[Artifact]| {
            let mut staged = Staged::new(&out);
            for a in arts {
                staged.put(a).unwrap();
            }
            staged.finish().unwrap();
        };
        let inode = |f: &str| std::fs::metadata(out.join(f)).unwrap().ino();
        build(&[artifact("same.json", &big), artifact("last.json", &big)]);
        let (same, last) = (inode("same.json"), inode("last.json"));
        build(&[artifact("same.json", &big), artifact("last.json", &changed)]);
        assert_eq!(inode("same.json"), same, "unchanged: linked");
        assert_ne!(
            inode("last.json"),
            last,
            "changed in its last byte: written"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("last.json")).unwrap(),
            changed
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The mode for a folder that cannot be renamed (a mount point), forced
    /// here since a test cannot mount one.
    #[test]
    fn in_place_replacement_holds_exactly_the_new_set() {
        let root = std::env::temp_dir().join(format!("wharf-inplace-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let out = root.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let mut names = Names::new(&out).unwrap();
        assert!(!names.in_place, "a plain folder is swapped");
        names = Names {
            scratch: names.out.clone(),
            lock: names.out.join(".wharf-lock"),
            tmp_prefix: ".wharf-tmp-".into(),
            old_prefix: ".wharf-old-".into(),
            out: names.out.clone(),
            in_place: true,
        };
        let write = |arts: &[Artifact]| {
            let mut staged = Staged::new(&out);
            staged.names = Some(Names {
                scratch: names.scratch.clone(),
                lock: names.lock.clone(),
                tmp_prefix: names.tmp_prefix.clone(),
                old_prefix: names.old_prefix.clone(),
                out: names.out.clone(),
                in_place: names.in_place,
            });
            for a in arts {
                staged.put(a)?;
            }
            staged.finish()
        };
        write(&[
            artifact("services/a.json", "a"),
            artifact("services/b.json", "b"),
        ])
        .unwrap();
        // A killed build's staging folder inside, and a rebuild without `b`.
        std::fs::create_dir_all(out.join(".wharf-tmp-99/services")).unwrap();
        write(&[artifact("services/a.json", "a2"), artifact("x.json", "x")]).unwrap();
        assert_eq!(
            listing(&out),
            [".wharf-output", "services", "services/a.json", "x.json"]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("services/a.json")).unwrap(),
            "a2"
        );
        // A folder with foreign files is still refused.
        std::fs::remove_file(out.join(MARKER)).unwrap();
        let e = write(&[artifact("y.json", "y")]).unwrap_err();
        assert_eq!(e.code, Code::OutputNotOwned);
        assert!(out.join("x.json").exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}
