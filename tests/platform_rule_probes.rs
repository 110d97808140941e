//! Probes of the runtime platform rules (Windows and ARM64 tasks) against the
//! ECS API reference and developer guide: small programs on each side of a
//! documented rule, with the exact codes `wharf check` gives (none where ECS
//! accepts) and the source text each diagnostic points at, which is the
//! setting ECS refuses, never the container's or task's name.

use wharf::driver::{self, Memory};

/// A Fargate Windows task; `{t}` is more task statements, `{c}` statements
/// of its container.
const FARGATE_WINDOWS: &str = "task t {\n  cpu 1vcpu\n  memory 2GiB\n  os windows_server_2022_core\n  {t}\n  container app {\n    image \"mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022\"\n    {c}\n  }\n}\n";
/// An EC2 Windows task in the default (NAT) network mode.
const EC2_WINDOWS: &str = "task t {\n  network default\n  compat ec2\n  os windows_server_2019_full\n  {t}\n  container app {\n    image \"mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019\"\n    memory 2GiB\n    {c}\n  }\n}\n";
/// A cluster and a service or job; `{t}` is the task's platform lines,
/// `{s}` the service's and `{j}` the job's statements.
const RUNS: &str = "region \"us-east-1\"\naccount \"123456789012\"\nnetwork main { vpc \"vpc-0123456789abcdef0\"; private_subnets [\"subnet-0a1b2c3d4e5f60718\", \"subnet-0f1e2d3c4b5a69788\"] }\ncluster c { network main }\ntask t {\n  cpu 1vcpu\n  memory 2GiB\n  {t}\n  container app { image \"app:1\" }\n}\nservice web in c {\n  task t\n  {s}\n}\njob once in c {\n  task t\n  {j}\n}\n";

/// Each diagnostic as (code, the source text its primary span covers).
fn found(source: &str) -> Vec<(String, String)> {
    let fs = Memory::with("probe.wharf", source.to_string());
    match driver::compile(
        &fs,
        std::path::Path::new("probe.wharf"),
        &Default::default(),
    ) {
        Ok(_) => Vec::new(),
        Err(failed) => failed
            .diags
            .iter()
            .map(|d| {
                let s = &d.primary.span;
                (
                    d.code.as_str().to_string(),
                    source[s.start as usize..s.end as usize].to_string(),
                )
            })
            .collect(),
    }
}

fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (hole, text) in holes {
        s = s.replace(&format!("{{{hole}}}"), text);
    }
    // Holes left unfilled are empty.
    for hole in ["{t}", "{c}", "{s}", "{j}"] {
        s = s.replace(hole, "");
    }
    s
}

/// Asserts the exact diagnostics of each case: (template, holes, [(code,
/// text at its span)], the rule probed).
type Case<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, &'a str)],
    &'a str,
);

fn probe(cases: &[Case]) {
    for (template, holes, want, rule) in cases {
        let source = fill(template, holes);
        let got = found(&source);
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(c, t)| (c.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want, "{rule}:\n{source}");
    }
}

#[test]
fn windows_container_members_ecs_marks_unsupported() {
    let cases: &[Case] = &[
        (EC2_WINDOWS, &[], &[], "a plain EC2 Windows task"),
        (FARGATE_WINDOWS, &[], &[], "a plain Fargate Windows task"),
        (
            EC2_WINDOWS,
            &[("c", "user \"ContainerAdministrator\"")],
            &[("E0438", "user \"ContainerAdministrator\"")],
            "ContainerDefinition.user",
        ),
        (
            EC2_WINDOWS,
            &[("c", "readonly")],
            &[("E0438", "readonly")],
            "ContainerDefinition.readonlyRootFilesystem",
        ),
        (
            EC2_WINDOWS,
            &[("c", "linux { init }")],
            &[("E0438", "linux { init }")],
            "ContainerDefinition.linuxParameters",
        ),
        (
            EC2_WINDOWS,
            &[("c", "privileged")],
            &[("E0438", "privileged")],
            "ContainerDefinition.privileged",
        ),
        (
            EC2_WINDOWS,
            &[("c", "dns [\"10.0.0.2\"]")],
            &[("E0438", "dns [\"10.0.0.2\"]")],
            "ContainerDefinition.dnsServers",
        ),
        (
            EC2_WINDOWS,
            &[("c", "dns_search [\"corp.example.com\"]")],
            &[("E0438", "dns_search [\"corp.example.com\"]")],
            "ContainerDefinition.dnsSearchDomains",
        ),
        (
            EC2_WINDOWS,
            &[("c", "disable_networking")],
            &[("E0438", "disable_networking")],
            "ContainerDefinition.disableNetworking",
        ),
        (
            EC2_WINDOWS,
            &[("c", "extra_host \"db.local\" = \"10.0.0.5\"")],
            &[("E0438", "extra_host \"db.local\" = \"10.0.0.5\"")],
            "ContainerDefinition.extraHosts",
        ),
        (
            EC2_WINDOWS,
            &[("c", "ulimit nofile 1024")],
            &[("E0438", "ulimit nofile 1024")],
            "ContainerDefinition.ulimits",
        ),
        (
            EC2_WINDOWS,
            &[("t", "pid task")],
            &[("E0438", "pid task")],
            "RegisterTaskDefinition.pidMode",
        ),
        (
            EC2_WINDOWS,
            &[("t", "ipc task")],
            &[("E0438", "ipc task")],
            "RegisterTaskDefinition.ipcMode",
        ),
        // What Windows does take.
        (
            EC2_WINDOWS,
            &[(
                "c",
                "security_options [\"credentialspec:file://gmsa.json\"]\n    hostname \"web\"\n    workdir \"C:\\\\inetpub\"",
            )],
            &[],
            "a gMSA credential spec, hostname and working directory",
        ),
        (
            EC2_WINDOWS,
            &[("c", "security_options [\"no-new-privileges\"]")],
            &[("E0734", "security_options [\"no-new-privileges\"]")],
            "dockerSecurityOptions other than credentialspec",
        ),
    ];
    probe(cases);
}

#[test]
fn windows_task_platform_rules() {
    let cases: &[Case] = &[
        (
            FARGATE_WINDOWS,
            &[("t", "arch arm64")],
            &[("E0730", "arch arm64")],
            "ARM64 is for Linux tasks (Fargate)",
        ),
        (
            EC2_WINDOWS,
            &[("t", "arch arm64")],
            &[("E0730", "arch arm64")],
            "ARM64 is for Linux tasks (EC2)",
        ),
        (
            FARGATE_WINDOWS,
            &[("t", "arch x86_64")],
            &[],
            "X86_64 Windows",
        ),
        (
            &FARGATE_WINDOWS.replace("windows_server_2022_core", "windows_server_2016_full"),
            &[],
            &[("E0731", "os windows_server_2016_full")],
            "Windows Server 2016 is not on Fargate",
        ),
        (
            &FARGATE_WINDOWS.replace("windows_server_2022_core", "windows_server_20h2_core"),
            &[],
            &[("E0731", "os windows_server_20h2_core")],
            "Windows Server 20H2 is not on Fargate",
        ),
        (
            &FARGATE_WINDOWS.replace("windows_server_2022_core", "windows_server_2025_full"),
            &[],
            &[],
            "Windows Server 2025 is on Fargate",
        ),
        (
            &EC2_WINDOWS.replace("windows_server_2019_full", "windows_server_2016_full"),
            &[],
            &[],
            "Windows Server 2016 on EC2",
        ),
        (
            &FARGATE_WINDOWS.replace("cpu 1vcpu", "cpu 0.5vcpu"),
            &[],
            &[("E0468", "cpu 0.5vcpu")],
            "Windows on Fargate needs 1 vCPU",
        ),
        (
            &FARGATE_WINDOWS
                .replace("cpu 1vcpu", "cpu 8vcpu")
                .replace("memory 2GiB", "memory 16GiB"),
            &[],
            &[("E0732", "cpu 8vcpu")],
            "8 vCPU needs Linux platform 1.4.0",
        ),
        (
            &FARGATE_WINDOWS
                .replace("cpu 1vcpu", "cpu 4vcpu")
                .replace("memory 2GiB", "memory 30GiB"),
            &[],
            &[],
            "4 vCPU and 30 GiB on Windows Fargate",
        ),
        (
            FARGATE_WINDOWS,
            &[("t", "storage 30GiB")],
            &[("E0739", "storage 30GiB")],
            "ephemeral storage is Linux platform 1.4.0 only",
        ),
        (
            &EC2_WINDOWS.replace("network default", "network bridge"),
            &[],
            &[("E0474", "network bridge")],
            "no bridge on Windows",
        ),
        (
            &EC2_WINDOWS.replace("network default", "network awsvpc"),
            &[],
            &[],
            "awsvpc on EC2 Windows",
        ),
    ];
    probe(cases);
}

#[test]
fn windows_volumes_and_logging() {
    let fsx = "volume share fsx \"fs-0123456789abcdef0\" root \"share\" credentials \"arn:aws:secretsmanager:us-east-1:123456789012:secret:fsx-AbCdEf\" domain \"corp.example.com\"";
    let cases: &[Case] = &[
        (
            EC2_WINDOWS,
            &[("t", fsx), ("c", "mount share \"C:\\\\share\"")],
            &[],
            "FSx for Windows File Server on EC2",
        ),
        (
            FARGATE_WINDOWS,
            &[("t", fsx), ("c", "mount share \"C:\\\\share\"")],
            &[("E0733", fsx)],
            "FSx is not mounted on Fargate",
        ),
        (
            "task t {\n  cpu 1vcpu\n  memory 2GiB\n  {t}\n  container app {\n    image \"app:1\"\n    {c}\n  }\n}\n",
            &[("t", fsx), ("c", "mount share \"C:\\\\share\"")],
            &[("E0733", fsx)],
            "FSx on Fargate without an `os`",
        ),
        (
            EC2_WINDOWS,
            &[
                ("t", "volume data efs \"fs-0123456789abcdef0\""),
                ("c", "mount data \"C:\\\\data\""),
            ],
            &[("E0733", "volume data efs \"fs-0123456789abcdef0\"")],
            "EFS is for Linux containers",
        ),
        (
            FARGATE_WINDOWS,
            &[
                ("t", "volume scratch bind"),
                ("c", "mount scratch \"C:\\\\scratch\""),
            ],
            &[],
            "a bind volume on Fargate Windows",
        ),
        (
            EC2_WINDOWS,
            &[
                ("t", "volume data docker driver \"rexray/ebs\""),
                ("c", "mount data \"C:\\\\data\""),
            ],
            &[("E0735", "volume data docker driver \"rexray/ebs\"")],
            "Windows takes the local driver only",
        ),
        (
            EC2_WINDOWS,
            &[
                ("t", "volume data docker driver \"local\""),
                ("c", "mount data \"C:\\\\data\""),
            ],
            &[],
            "the local driver",
        ),
        (
            FARGATE_WINDOWS,
            &[
                ("t", "log_router router { }"),
                ("c", "logs firelens { Name = \"cloudwatch\" }"),
            ],
            &[
                ("E0736", "log_router router"),
                ("E0736", "logs firelens { Name = \"cloudwatch\" }"),
            ],
            "no FireLens on Windows",
        ),
        (
            FARGATE_WINDOWS,
            &[("c", "logs awslogs region \"us-east-1\" retention 30")],
            &[],
            "awslogs on Windows",
        ),
    ];
    probe(cases);
}

#[test]
fn platform_versions_match_the_task() {
    let windows = "os windows_server_2022_core";
    let cases: &[Case] = &[
        (RUNS, &[("t", windows)], &[], "LATEST for Windows"),
        (
            RUNS,
            &[
                ("t", windows),
                ("s", "platform \"1.0.0\""),
                ("j", "platform \"1.0.0\""),
            ],
            &[],
            "Windows platform 1.0.0",
        ),
        (
            RUNS,
            &[("t", windows), ("s", "platform \"1.4.0\"")],
            &[("E0737", "platform \"1.4.0\"")],
            "a Linux platform version for a Windows service",
        ),
        (
            RUNS,
            &[("t", windows), ("j", "platform \"1.4.0\"")],
            &[("E0737", "platform \"1.4.0\"")],
            "a Linux platform version for a Windows job",
        ),
        (
            RUNS,
            &[("t", "arch arm64"), ("s", "platform \"1.4.0\"")],
            &[],
            "ARM64 on Linux platform 1.4.0",
        ),
        (
            RUNS,
            &[("t", "arch arm64"), ("s", "platform \"1.3.0\"")],
            &[("E0737", "platform \"1.3.0\"")],
            "ARM64 before Linux platform 1.4.0",
        ),
        (
            RUNS,
            &[("s", "platform \"1.3.0\"")],
            &[],
            "X86_64 Linux on 1.3.0",
        ),
    ];
    probe(cases);
}

#[test]
fn gmsa_credential_specs() {
    let domainless = "credential_spec \"credentialspecdomainless:arn:aws:ssm:us-east-1:123456789012:parameter/gmsa\"";
    let joined = "credential_spec \"credentialspec:arn:aws:s3:::bucket/gmsa.json\"";
    let cases: &[Case] = &[
        (FARGATE_WINDOWS, &[("c", domainless)], &[], "domainless gMSA on Fargate"),
        (EC2_WINDOWS, &[("c", domainless)], &[], "domainless gMSA on EC2"),
        (EC2_WINDOWS, &[("c", joined)], &[], "domain-joined gMSA on EC2"),
        (
            FARGATE_WINDOWS,
            &[("c", joined)],
            &[("E0738", joined)],
            "Fargate joins no domain",
        ),
        (
            EC2_WINDOWS,
            &[("c", "credential_spec \"arn:aws:ssm:us-east-1:123456789012:parameter/gmsa\"")],
            &[(
                "E0738",
                "credential_spec \"arn:aws:ssm:us-east-1:123456789012:parameter/gmsa\"",
            )],
            "an ARN without its form",
        ),
        (
            EC2_WINDOWS,
            &[("c", "credential_spec \"credentialspec:file://gmsa.json\"")],
            &[("E0738", "credential_spec \"credentialspec:file://gmsa.json\"")],
            "a file path is dockerSecurityOptions' form, not credentialSpecs'",
        ),
        (
            EC2_WINDOWS,
            &[(
                "c",
                "credential_spec [\"credentialspec:arn:aws:s3:::b/1.json\", \"credentialspec:arn:aws:s3:::b/2.json\"]",
            )],
            &[(
                "E0738",
                "credential_spec [\"credentialspec:arn:aws:s3:::b/1.json\", \"credentialspec:arn:aws:s3:::b/2.json\"]",
            )],
            "one credential spec per container",
        ),
        // Linux containers use gMSA too, on EC2 and (domainless) on Fargate.
        (
            "task t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"app:1\"\n    {c}\n  }\n}\n",
            &[("c", joined)],
            &[("E0738", joined)],
            "domain-joined gMSA on Fargate Linux",
        ),
    ];
    probe(cases);
}
