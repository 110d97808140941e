//! Local values of a program's secrets. Stage: runner. Input: `--secret
//! NAME=VALUE` pairs, a secrets file (`.wharf/secrets.env` or
//! `--secrets-file`) and the environment of `wharf up`. Output: the
//! [`Secrets`] a run gives its containers, or one error naming every secret
//! without a value and how to give it. Invariants: the check runs before any
//! task starts; values live only in memory (never in state, logs, `ps`, the
//! manifest or a command line: a detached runner reads them from a pipe),
//! and `Debug` never prints them.

use super::errors;
use super::RunnerError;
use crate::manifest::{Manifest, SecretSource};
use std::collections::BTreeMap;
use std::path::Path;

/// Secret values by variable name. `Debug` shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets(BTreeMap<String, String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Secrets {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn insert(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// JSON for the pipe to a detached runner.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Option<Secrets> {
        serde_json::from_str(text).ok().map(Secrets)
    }
}

/// Largest secrets file read (`--secrets-file`, `secrets.env`).
pub const MAX_SECRETS_FILE: u64 = 1024 * 1024;
/// Largest `{"kind": "file"}` secret: Secrets Manager's limit for a secret
/// value (65,536 bytes).
pub const MAX_SECRET_VALUE: u64 = 64 * 1024;

/// Reads a regular file of at most `limit` bytes as text. A device, FIFO or
/// directory (say `/dev/zero`, which would never end, or a pipe, which
/// would block) or a larger file is an error, never a hang or an unbounded
/// read.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} KiB", limit / 1024),
        ));
    }
    Ok(text)
}

/// Parses a secrets file: `NAME=VALUE` lines, `#` comments, blank lines, an
/// optional `export ` prefix, and values optionally in single or double
/// quotes (taken literally). Returns the pairs or the first bad line.
pub fn parse_file(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            return Err((i + 1, "a line must be NAME=VALUE".into()));
        };
        let name = name.trim();
        if !is_name(name) {
            return Err((i + 1, format!("`{name}` is not a variable name")));
        }
        let value = value.trim();
        let value = [('"', '"'), ('\'', '\'')]
            .iter()
            .find_map(|(a, b)| value.strip_prefix(*a)?.strip_suffix(*b))
            .unwrap_or(value);
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// `NAME=VALUE` from `--secret`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((n, v)) if is_name(n) => Ok((n.to_string(), v.to_string())),
        _ => Err(format!(
            "`{}` is not NAME=VALUE with NAME a variable name",
            s.split_once('=').map_or(s, |(n, _)| n)
        )),
    }
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where values come from, strongest first: `--secret`, the environment,
/// then the files in order.
pub struct Sources<'a> {
    pub given: &'a [(String, String)],
    /// Secrets files, strongest first, each with whether the user named it
    /// (a named file must exist; a default one may be absent).
    pub files: &'a [(&'a Path, bool)],
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Resolves the value of every `env` secret the manifest's services use,
/// and checks every `file` secret is readable. One error lists them all.
pub fn resolve(manifest: &Manifest, sources: &Sources<'_>) -> Result<Secrets, RunnerError> {
    let mut from_file = BTreeMap::new();
    for (path, named) in sources.files.iter().rev() {
        match read_bounded(path, MAX_SECRETS_FILE) {
            Ok(text) => {
                let pairs = parse_file(&text).map_err(|(line, why)| {
                    errors::secrets_file(path, &format!("line {line}: {why}"))
                })?;
                from_file.extend(pairs);
            }
            Err(e) if *named || e.kind() != std::io::ErrorKind::NotFound => {
                return Err(errors::secrets_file(path, &e.to_string()));
            }
            Err(_) => {}
        }
    }
    let given: BTreeMap<&str, &str> = sources
        .given
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut secrets = Secrets::default();
    let mut missing: Vec<String> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    for svc in &manifest.services {
        let Some(task) = manifest.task(&svc.task) else {
            continue;
        };
        for c in &task.containers {
            for s in &c.secrets {
                match &s.value_from {
                    SecretSource::Env { var } => {
                        let value = given
                            .get(var.as_str())
                            .map(|v| v.to_string())
                            .or_else(|| (sources.env)(var))
                            .or_else(|| from_file.get(var).cloned());
                        match value {
                            Some(v) => secrets.insert(var, &v),
                            None => {
                                let who = format!("`{var}` ({}/{})", task.family, c.name);
                                if !missing.contains(&who) {
                                    missing.push(who);
                                }
                            }
                        }
                    }
                    SecretSource::File { path } => {
                        if let Err(e) = read_bounded(Path::new(path), MAX_SECRET_VALUE) {
                            unreadable.push(format!(
                                "`{}` ({}/{}): file `{path}`: {e}",
                                s.name, task.family, c.name
                            ));
                        }
                    }
                }
            }
        }
    }
    if missing.is_empty() && unreadable.is_empty() {
        return Ok(secrets);
    }
    let names: Vec<String> = missing
        .iter()
        .filter_map(|m| m.split('`').nth(1).map(str::to_string))
        .collect();
    Err(errors::secrets_missing(&missing, &unreadable, &names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_files_read_like_dotenv() {
        let text = "# local values\nDB_PASSWORD=abc=def\nexport API_KEY = \"k 1\"\n\nQ='x'\n";
        assert_eq!(
            parse_file(text).unwrap(),
            vec![
                ("DB_PASSWORD".into(), "abc=def".into()),
                ("API_KEY".into(), "k 1".into()),
                ("Q".into(), "x".into())
            ]
        );
        assert_eq!(parse_file("oops\n").unwrap_err().0, 1);
        assert_eq!(parse_file("A=1\n1X=2\n").unwrap_err().0, 2);
    }

    #[test]
    fn debug_never_shows_values() {
        let mut s = Secrets::default();
        s.insert("DB_PASSWORD", "hunter2");
        assert_eq!(format!("{s:?}"), "{\"DB_PASSWORD\"}");
        assert_eq!(Secrets::from_json(&s.to_json()), Some(s));
    }

    #[test]
    fn pairs() {
        assert_eq!(
            parse_pair("A_1=x=y"),
            Ok(("A_1".to_string(), "x=y".to_string()))
        );
        assert!(parse_pair("no-equals").is_err());
        assert!(parse_pair("1A=x").is_err());
    }
}
