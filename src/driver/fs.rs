//! The file system the driver reads source through, injected by its caller:
//! [`Disk`] for the command line, [`Memory`] for tests, benchmarks and the
//! language server's unsaved buffers. Nothing else in the library opens a
//! file.
//!
//! [`Disk`] reads only a regular file (not a directory, device, FIFO,
//! socket, nor anything under `/proc` or `/sys`), at most
//! [`MAX_SOURCE_BYTES`], checked before it is opened and again on the open
//! handle, which is opened non-blocking so a FIFO swapped in cannot hang.
//! [`Memory`] holds the same size limit, so both refuse the same programs.

use crate::diag::Code;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest file read as source: far above any real program (the
/// 10,000-service benchmark is a few MB), low enough to bound memory.
pub const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// Where source files come from.
pub trait FileSystem {
    /// The text of the source file at `path`.
    fn read(&self, path: &Path) -> Result<String, ReadError>;

    /// What identifies the file at `path`: two paths to one file give the
    /// same identity, so a file imported twice is loaded once and an import
    /// cycle is seen through any spelling of its path.
    fn identity(&self, path: &Path) -> PathBuf;
}

/// Why a file could not be read as source.
#[derive(Debug)]
pub enum ReadError {
    /// Missing or unreadable (E0104).
    Io(std::io::Error),
    /// Not a regular file: what it is instead (E0106).
    NotRegular(&'static str),
    /// Larger than [`MAX_SOURCE_BYTES`] (E0106).
    TooLarge,
}

impl ReadError {
    pub fn code(&self) -> Code {
        match self {
            ReadError::Io(_) => Code::ImportNotFound,
            ReadError::NotRegular(_) | ReadError::TooLarge => Code::NotASourceFile,
        }
    }

    /// "cannot read `PATH`: REASON".
    pub fn message(&self, shown: &str) -> String {
        match self {
            ReadError::Io(e) => format!("cannot read `{shown}`: {e}"),
            ReadError::NotRegular(what) => {
                format!("`{shown}` is {what}, not a regular file")
            }
            ReadError::TooLarge => format!(
                "`{shown}` is larger than {} MiB",
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            ReadError::Io(_) => "check the path",
            ReadError::NotRegular(_) => {
                "Wharf reads source only from regular files; give the path of one"
            }
            ReadError::TooLarge => "split the program into files Wharf imports",
        }
    }

    /// The diagnostic about the file as a whole (it has no span in a
    /// source), labelled `file`.
    pub fn diagnostics(&self, path: &Path) -> crate::diag::Diagnostics {
        let shown = path.display().to_string();
        crate::diag::Diagnostics::about_file(
            &shown,
            self.code(),
            self.message(&shown),
            "file",
            self.help(),
        )
    }
}

/// The real disk, read as described in the module comment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl FileSystem for Disk {
    fn read(&self, path: &Path) -> Result<String, ReadError> {
        read_regular(path)
    }

    /// The canonical path (links resolved), or the path as given when it
    /// does not exist.
    fn identity(&self, path: &Path) -> PathBuf {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    }
}

/// What a file that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    if meta.is_dir() {
        Some("a directory")
    } else if !meta.is_file() {
        Some("not a file")
    } else {
        None
    }
}

fn read_regular(path: &Path) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(what) = kind_of(&meta) {
        return Err(ReadError::NotRegular(what));
    }
    // Pseudo-files look regular (size 0) but are views of the system.
    let real = path.canonicalize().map_err(ReadError::Io)?;
    if real.starts_with("/proc") || real.starts_with("/sys") {
        return Err(ReadError::NotRegular("a system pseudo-file"));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    // The path may have been swapped between the check and the open.
    if let Some(what) = file.metadata().ok().as_ref().and_then(kind_of) {
        return Err(ReadError::NotRegular(what));
    }
    // Sized from the handle (plus one byte to see the end): a vector grown
    // by doubling would hold up to twice the source.
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_SOURCE_BYTES);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not UTF-8 text",
        ))
    })
}

/// Files held in memory, by path. Paths are compared with `.` and `..`
/// folded (`a/./b/../c.wharf` is `a/c.wharf`); there are no links.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    files: HashMap<PathBuf, String>,
}

impl Memory {
    pub fn new() -> Memory {
        Memory::default()
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) -> &mut Memory {
        self.files.insert(fold(path.as_ref()), text.into());
        self
    }

    /// A file system holding one file.
    pub fn with(path: impl AsRef<Path>, text: impl Into<String>) -> Memory {
        let mut fs = Memory::new();
        fs.insert(path, text);
        fs
    }
}

impl FileSystem for Memory {
    fn read(&self, path: &Path) -> Result<String, ReadError> {
        match self.files.get(&fold(path)) {
            Some(text) if text.len() as u64 > MAX_SOURCE_BYTES => Err(ReadError::TooLarge),
            Some(text) => Ok(text.clone()),
            None => Err(ReadError::Io(std::io::Error::from(
                std::io::ErrorKind::NotFound,
            ))),
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        fold(path)
    }
}

/// Files held in memory over another file system: an editor's unsaved
/// buffers over the disk. A path the memory holds is read from it, any
/// other from the file system beneath, which also gives identities.
#[derive(Debug, Clone, Default)]
pub struct Overlay<F> {
    pub top: Memory,
    pub base: F,
}

impl<F: FileSystem> Overlay<F> {
    pub fn new(base: F) -> Overlay<F> {
        Overlay {
            top: Memory::new(),
            base,
        }
    }
}

impl<F: FileSystem> FileSystem for Overlay<F> {
    fn read(&self, path: &Path) -> Result<String, ReadError> {
        match self.top.files.contains_key(&fold(path)) {
            true => self.top.read(path),
            false => self.base.read(path),
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        self.base.identity(path)
    }
}

/// `path` with `.` removed and each `..` taking back the name before it
/// (a `..` at the start is kept).
fn fold(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_paths_fold_dots() {
        let fs = Memory::with("app/main.wharf", "x");
        assert_eq!(fs.read(Path::new("app/./lib/../main.wharf")).unwrap(), "x");
        assert_eq!(
            fs.identity(Path::new("./app/main.wharf")),
            PathBuf::from("app/main.wharf")
        );
        assert_eq!(fold(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(fold(Path::new("../a")), PathBuf::from("../a"));
        assert!(matches!(
            fs.read(Path::new("other.wharf")),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn overlay_reads_its_files_first() {
        let mut base = Memory::with("a.wharf", "disk");
        base.insert("b.wharf", "disk b");
        let mut fs = Overlay::new(base);
        fs.top.insert("a.wharf", "buffer");
        assert_eq!(fs.read(Path::new("a.wharf")).unwrap(), "buffer");
        assert_eq!(fs.read(Path::new("b.wharf")).unwrap(), "disk b");
    }
}
