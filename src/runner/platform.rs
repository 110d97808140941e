//! What a task's runtime platform (`runtimePlatform` in the manifest) asks
//! of the machine the runner is on. Stage: runner, before any task starts.
//! Input: the manifest (or a job's preflight manifest). Output: a coded
//! refusal, or nothing.
//!
//! - A Windows task needs a Windows host and Windows container images:
//!   neither the process driver nor podman on Linux runs one, so `wharf up`
//!   and `wharf run` refuse it by name (E0610) instead of starting it and
//!   failing on a pull of an image for another OS.
//! - An ARM64 (or X86_64) task's images are pulled for that architecture
//!   (`podman run --platform linux/arm64`); on a host of the other
//!   architecture they run only under emulation (binfmt_misc and QEMU user
//!   mode). Without a registered emulator the podman driver refuses the run
//!   (E0611). The process driver runs `local` commands on the host and has
//!   no images, so the architecture does not apply to it.

use super::RunnerError;
use crate::diag::Code;
use crate::manifest::Manifest;

/// The tasks a run starts: those its services (or the job being run) use.
fn used(manifest: &Manifest) -> impl Iterator<Item = &crate::manifest::TaskDefinition> {
    manifest
        .tasks
        .iter()
        .filter(|t| manifest.services.iter().any(|s| s.task == t.family))
}

/// Refuses a run that starts a Windows task (E0610).
pub fn check(manifest: &Manifest) -> Result<(), RunnerError> {
    for t in used(manifest) {
        let Some(family) = t.runtime_platform.as_ref().and_then(|p| p.windows()) else {
            continue;
        };
        let by: Vec<&str> = manifest
            .services
            .iter()
            .filter(|s| s.task == t.family)
            .map(|s| s.name.as_str())
            .collect();
        return Err(RunnerError::new(
            Code::WindowsLocal,
            format!(
                "task `{}` (used by `{}`) runs Windows containers ({family}), which the local runner cannot run on {}",
                t.family,
                by.join("`, `"),
                std::env::consts::OS
            ),
            "run it on ECS (EC2 Windows instances or Fargate); to run the service locally, give it a Linux task and image",
        ));
    }
    Ok(())
}

/// The architecture names the kernel's binfmt_misc entries carry for an
/// ECS `cpuArchitecture`, and the host's own name for it.
fn names(arch: &str) -> Option<(&'static str, &'static str)> {
    match arch {
        "ARM64" => Some(("aarch64", "aarch64")),
        "X86_64" => Some(("x86_64", "x86_64")),
        _ => None,
    }
}

/// Whether a task of `wanted` (ECS spelling) runs on a host of `host`
/// (`std::env::consts::ARCH`) given the registered binfmt_misc entries.
pub fn runs_here(wanted: &str, host: &str, binfmt: &[String]) -> bool {
    let Some((emulator, native)) = names(wanted) else {
        return true;
    };
    host == native || binfmt.iter().any(|e| e.contains(emulator))
}

/// The registered binfmt_misc entries (`qemu-aarch64`, ...).
fn binfmt_entries() -> Vec<String> {
    std::fs::read_dir("/proc/sys/fs/binfmt_misc")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Refuses a podman run of a task of another architecture when the host
/// cannot emulate it (E0611).
pub fn check_emulation(manifest: &Manifest) -> Result<(), RunnerError> {
    let binfmt = binfmt_entries();
    let host = std::env::consts::ARCH;
    for t in used(manifest) {
        let Some(arch) = t
            .runtime_platform
            .as_ref()
            .and_then(|p| p.cpu_architecture.as_deref())
        else {
            continue;
        };
        if !runs_here(arch, host, &binfmt) {
            return Err(RunnerError::new(
                Code::ArchEmulation,
                format!(
                    "task `{}` runs {arch} images and this {host} host has no emulator registered for them",
                    t.family
                ),
                "register QEMU user-mode emulation (`apt-get install qemu-user-static binfmt-support`), run on a host of that architecture, or use `--driver process`",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::runs_here;
    use crate::manifest::RuntimePlatform;

    #[test]
    fn oci_platform_and_windows_family() {
        let p = |os: Option<&str>, arch: Option<&str>| RuntimePlatform {
            operating_system_family: os.map(str::to_string),
            cpu_architecture: arch.map(str::to_string),
        };
        assert_eq!(p(None, Some("ARM64")).oci_platform(), Some("linux/arm64"));
        assert_eq!(p(None, Some("X86_64")).oci_platform(), Some("linux/amd64"));
        assert_eq!(p(Some("LINUX"), None).oci_platform(), None);
        assert_eq!(p(Some("LINUX"), None).windows(), None);
        assert_eq!(
            p(Some("WINDOWS_SERVER_2019_CORE"), None).windows(),
            Some("WINDOWS_SERVER_2019_CORE")
        );
    }

    #[test]
    fn native_and_emulated_architectures() {
        let none: Vec<String> = Vec::new();
        let qemu = vec!["status".to_string(), "qemu-aarch64".to_string()];
        assert!(runs_here("ARM64", "aarch64", &none));
        assert!(runs_here("X86_64", "x86_64", &none));
        assert!(!runs_here("ARM64", "x86_64", &none));
        assert!(runs_here("ARM64", "x86_64", &qemu));
        assert!(!runs_here("X86_64", "aarch64", &qemu));
    }
}
