//! Probes of the checker against the ECS API reference (RegisterTaskDefinition,
//! ContainerDefinition and its members, CreateService): small programs each
//! on one side of a documented rule, with the exact codes `wharf check`
//! gives (none where ECS accepts). Each probe names the rule it probes.

#[path = "support/probe.rs"]
mod probe;

use probe::codes;
use wharf::driver::{self, Memory};

/// A Fargate task; `{}` is statements of its first container.
const FARGATE: &str = "task t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"nginx:1.27\"\n    {}\n  }\n  container db { image \"postgres:16\"; essential off }\n}\n";
/// An EC2 bridge task (and a region for awslogs).
const EC2: &str = "region \"us-east-1\"\ntask t {\n  network bridge\n  compat ec2\n  container app {\n    image \"nginx:1.27\"\n    memory 256MiB\n    {}\n  }\n  container db { image \"postgres:16\"; memory 256MiB; essential off }\n}\n";
/// A cluster with an EC2 host-mode task and a Fargate task; `{}` is a service.
const SERVICES: &str = "region \"us-east-1\"\naccount \"123456789012\"\nnetwork main { vpc \"vpc-0123456789abcdef0\"; private_subnets [\"subnet-0a1b2c3d4e5f60718\", \"subnet-0f1e2d3c4b5a69788\"] }\ncluster c { network main }\ntask t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx\"; port 80 }\n}\ntask d {\n  network host\n  compat ec2\n  container app { image \"nginx\"; memory 256MiB; port 80 }\n}\n{}\n";

fn probe(template: &str, statements: &str, want: &[&str], rule: &str) {
    let source = template.replacen("{}", statements, 1);
    assert_eq!(codes(&source), want, "{rule}:\n{source}");
}

#[test]
fn container_definition_probes() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        // KernelCapabilities: the documented names, no CAP_ prefix; Fargate adds SYS_PTRACE only.
        (
            EC2,
            "linux { add_capabilities [\"FLY\"] }",
            &["E0439"],
            "unknown capability",
        ),
        (
            EC2,
            "linux { drop_capabilities [\"CAP_CHOWN\"] }",
            &["E0439"],
            "CAP_ prefix",
        ),
        (
            EC2,
            "linux { add_capabilities [\"NET_ADMIN\", \"WAKE_ALARM\"] }",
            &[],
            "documented capabilities",
        ),
        (
            FARGATE,
            "linux { add_capabilities [\"SYS_PTRACE\"] }",
            &[],
            "SYS_PTRACE on Fargate",
        ),
        (
            FARGATE,
            "linux { add_capabilities [\"NET_ADMIN\"] }",
            &["E0472"],
            "NET_ADMIN on Fargate",
        ),
        // environmentFiles: up to ten.
        (
            FARGATE,
            &(1..=11)
                .map(|i| format!("env_file \"arn:aws:s3:::b/{i}.env\"; "))
                .collect::<String>(),
            &["E0475"],
            "11 environment files",
        ),
        (
            FARGATE,
            &(1..=10)
                .map(|i| format!("env_file \"arn:aws:s3:::b/{i}.env\"; "))
                .collect::<String>(),
            &[],
            "10 environment files",
        ),
        // dnsSearchDomains: ^[a-zA-Z0-9-.]{0,253}[a-zA-Z0-9]$.
        (
            EC2,
            "dns_search [\"bad_domain!\"]",
            &["E0476"],
            "search domain characters",
        ),
        (
            EC2,
            "dns_search [\"example.com.\"]",
            &["E0476"],
            "search domain trailing dot",
        ),
        (
            EC2,
            "dns_search [\"corp-1.example.com\", \"a\"]",
            &[],
            "search domains",
        ),
        // dockerSecurityOptions: the four documented forms.
        (
            EC2,
            "security_options [\"seccomp=unconfined\"]",
            &["E0477"],
            "seccomp option",
        ),
        (
            EC2,
            "security_options [\"apparmor:\"]",
            &["E0477"],
            "apparmor without a profile",
        ),
        (
            EC2,
            "security_options [\"no-new-privileges\", \"label:type:svirt_apache_t\"]",
            &[],
            "documented options",
        ),
        (
            FARGATE,
            "security_options [\"no-new-privileges\"]",
            &["E0472"],
            "security options on Fargate",
        ),
        // awslogs `mode`: blocking or non-blocking.
        (
            EC2,
            "logs awslogs { \"mode\" = \"fast\" }",
            &["E0467"],
            "awslogs mode value",
        ),
        (
            EC2,
            "logs awslogs { \"mode\" = \"non-blocking\"; \"max-buffer-size\" = \"4m\" }",
            &[],
            "awslogs non-blocking",
        ),
        // links and volumes_from name containers of the task.
        (EC2, "links [\"cache\"]", &["E0203"], "link to no container"),
        (EC2, "links [\"db:database\"]", &[], "link with an alias"),
        (
            EC2,
            "volumes_from cache",
            &["E0203"],
            "volumes from no container",
        ),
        // Tmpfs.containerPath is an absolute path.
        (
            EC2,
            "linux { tmpfs \"run\" 64MiB }",
            &["E0449"],
            "relative tmpfs path",
        ),
        (EC2, "linux { tmpfs \"/run\" 64MiB }", &[], "tmpfs path"),
        // HealthCheck ranges.
        (
            EC2,
            "health \"true\" every 301s",
            &["E0415"],
            "interval over 300",
        ),
        (
            EC2,
            "health \"true\" every 120s timeout 61s",
            &["E0415"],
            "timeout over 60",
        ),
        (
            EC2,
            "health \"true\" every 120s timeout 60s grace 300s retries 10",
            &[],
            "health check at its bounds",
        ),
        (
            EC2,
            "health \"true\" retries 0",
            &["E0415"],
            "retries under 1",
        ),
        // Settings Fargate does not support.
        (FARGATE, "privileged", &["E0472"], "privileged on Fargate"),
        (FARGATE, "gpu 1", &["E0472"], "GPU on Fargate"),
        (
            FARGATE,
            "linux { device \"/dev/fuse\" }",
            &["E0472"],
            "devices on Fargate",
        ),
        (
            FARGATE,
            "linux { shared_memory 64MiB }",
            &["E0472"],
            "shared memory on Fargate",
        ),
        (
            FARGATE,
            "linux { tmpfs \"/run\" 64MiB }",
            &["E0472"],
            "tmpfs on Fargate",
        ),
        (
            FARGATE,
            "linux { max_swap 64MiB }",
            &["E0472"],
            "swap on Fargate",
        ),
        (EC2, "privileged", &[], "privileged on EC2"),
        // Settings awsvpc does not support.
        (FARGATE, "links [\"db\"]", &["E0473"], "links in awsvpc"),
        (
            FARGATE,
            "hostname \"web\"",
            &["E0473"],
            "hostname in awsvpc",
        ),
        (
            FARGATE,
            "dns [\"10.0.0.2\"]",
            &["E0473"],
            "dns servers in awsvpc",
        ),
        (
            FARGATE,
            "extra_host \"db\" = \"10.0.0.5\"",
            &["E0473"],
            "extra hosts in awsvpc",
        ),
        // PortMapping: one container port, one protocol.
        (
            EC2,
            "port 53\n    port 53 udp",
            &["E0427"],
            "a port for tcp and udp",
        ),
        (
            EC2,
            "port 53\n    port 54 udp",
            &[],
            "two ports, two protocols",
        ),
        // ContainerDefinition.image: up to 255 characters, no whitespace.
        // Ports and timeouts.
        (EC2, "port 65536", &["E0303"], "container port over 65535"),
        (
            EC2,
            "stop_timeout 3600s",
            &[],
            "EC2 stop timeout over 120 s",
        ),
        (
            EC2,
            "registry_credentials \"mysecret\"",
            &[],
            "a secret name (same Region) for repository credentials",
        ),
        (
            EC2,
            "linux { max_swap 64MiB; swappiness 101 }",
            &["E0303"],
            "swappiness over 100",
        ),
    ];
    for (template, statements, want, rule) in cases {
        probe(template, statements, want, rule);
    }
}

/// ProxyConfiguration.properties: the documented names, the required ones.
#[test]
fn proxy_configuration_probes() {
    let task = |properties: &str| {
        format!(
            "task t {{\n  cpu 0.25vcpu\n  memory 512MiB\n  proxy envoy {{ {properties} }}\n  container app {{ image \"nginx\"; port 8080 }}\n  container envoy {{ image \"envoy:1\"; essential off; user \"1337\" }}\n}}\n"
        )
    };
    let complete = "IgnoredUID = \"1337\"; AppPorts = \"8080\"; ProxyIngressPort = \"15000\"; ProxyEgressPort = \"15001\"";
    assert_eq!(codes(&task(complete)), Vec::<String>::new());
    assert_eq!(
        codes(&task(&complete.replace("IgnoredUID", "IgnoredGID"))),
        Vec::<String>::new(),
        "IgnoredGID instead of IgnoredUID"
    );
    assert_eq!(
        codes(&task(&format!(
            "{complete}; EgressIgnoredIPs = \"169.254.170.2\"; Bogus = \"1\""
        ))),
        ["E0304"],
        "an unknown property"
    );
    assert_eq!(
        codes(&task("IgnoredUID = \"1337\"; ProxyIngressPort = \"15000\"")),
        ["E0305"],
        "no AppPorts"
    );
}

#[test]
fn image_probes() {
    let with = |image: &str| {
        format!("task t {{\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {{ image \"{image}\" }}\n}}\n")
    };
    assert_eq!(codes(&with("my image:1")), ["E0312"], "whitespace");
    assert_eq!(codes(&with(&"a".repeat(256))), ["E0312"], "256 characters");
    assert_eq!(
        codes(&with(&"a".repeat(255))),
        Vec::<String>::new(),
        "255 characters"
    );
    assert_eq!(
        codes(&with(
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )),
        Vec::<String>::new(),
        "a digest"
    );
}

#[test]
fn firelens_config_file_probes() {
    let router = |compat: &str, kind: &str| {
        format!(
            "task t {{\n  {compat}\n  log_router router {{\n    image \"fluent-bit:stable\"\n    memory 128MiB\n    firelens fluentbit {{ \"config-file-type\" = \"{kind}\"; \"config-file-value\" = \"/etc/x.conf\" }}\n  }}\n  container app {{ image \"nginx\"; memory 256MiB; logs firelens {{ Name = \"cloudwatch\" }} }}\n}}\n"
        )
    };
    let fargate = "cpu 0.25vcpu; memory 512MiB";
    let ec2 = "network bridge; compat ec2";
    assert_eq!(codes(&router(fargate, "s3")), ["E0478"], "S3 on Fargate");
    assert_eq!(codes(&router(fargate, "file")), Vec::<String>::new());
    assert_eq!(codes(&router(ec2, "s3")), Vec::<String>::new(), "S3 on EC2");
    assert_eq!(codes(&router(ec2, "http")), ["E0478"], "an unknown type");
    let options = |opts: &str| {
        format!(
            "task t {{\n  cpu 0.25vcpu\n  memory 512MiB\n  log_router router {{\n    image \"fluent-bit:stable\"\n    firelens fluentbit {{ {opts} }}\n  }}\n  container app {{ image \"nginx\"; logs firelens {{ Name = \"cloudwatch\" }} }}\n}}\n"
        )
    };
    assert_eq!(
        codes(&options("\"enable-ecs-log-metadata\" = \"false\"")),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&options("\"enable-ecs-log-metadata\" = \"maybe\"")),
        ["E0478"],
        "metadata flag"
    );
    assert_eq!(
        codes(&options("\"Name\" = \"cloudwatch\"")),
        ["E0478"],
        "an output option on the router"
    );
    assert_eq!(
        codes(&options("\"config-file-type\" = \"file\"")),
        ["E0478"],
        "a type without its value"
    );
}

#[test]
fn create_service_probes() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "service s in c { task d; daemon; launch ec2; placement spread az }",
            &["E0479"],
            "DAEMON with a placement strategy",
        ),
        (
            "service s in c { task d; daemon; launch ec2; autoscale 1..3 cpu 50% }",
            &["E0479"],
            "DAEMON with auto scaling",
        ),
        (
            "service s in c { task d; daemon; launch ec2; constraint distinct_instance }",
            &[],
            "DAEMON with a constraint",
        ),
        (
            "service s in c { task d; launch ec2; platform \"1.4.0\"; count 1 }",
            &["E0479"],
            "platform version on EC2",
        ),
        (
            "service s in c { task t; launch fargate; platform \"1.4.0\"; count 1 }",
            &[],
            "platform version on Fargate",
        ),
        (
            "service s in c { task t; count 1; tag a = \"1\"; tag a = \"2\" }",
            &["E0445"],
            "a tag key twice",
        ),
        ("service s in c { task d; count 1; launch ec2; subnets [\"subnet-0a1b2c3d4e5f60718\"] }", &["E0479"], "subnets for a host-mode task"),
        ("service s in c { task d; count 1; launch ec2; security_groups [\"sg-0123456789abcdef0\"] }", &["E0479"], "security groups for a host-mode task"),
        ("service s in c { task d; count 1; launch ec2; public_ip on }", &["E0437"], "a public IP on EC2"),
        (
            "service s in c { task t; count 2; deploy rolling min 150% max 120% }",
            &["E0422"],
            "minimum above maximum",
        ),
        (
            "service s in c { task t; count 2; deploy rolling min 0% max 100% }",
            &[],
            "0% and 100%",
        ),
        (
            "service s in c { task d; daemon; launch ec2; deploy rolling min 50% max 200% }",
            &["E0422"],
            "DAEMON maximum over 100%",
        ),
        (
            "service s in c { task t; count 1; autoscale 1..3 cpu 101% }",
            &[],
            "a CPU target over 100% (utilization can pass 100%)",
        ),
    ];
    for (service, want, rule) in cases {
        probe(SERVICES, service, want, rule);
    }
}

/// An enum setting takes a string input, chosen by its value for the build.
#[test]
fn enum_settings_take_inputs() {
    let source = "input MODE: string\ninput LAUNCH: string\ntask t {\n  network MODE\n  compat LAUNCH\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx\" }\n}\n";
    let with = |mode: &str, launch: &str| {
        let fs = Memory::with("probe.wharf", source.to_string());
        let mut options = driver::Options::default();
        options.inputs.insert("MODE".into(), mode.into());
        options.inputs.insert("LAUNCH".into(), launch.into());
        match driver::compile(&fs, std::path::Path::new("probe.wharf"), &options) {
            Ok(c) => Ok(c.program.tasks[0].network_mode),
            Err(f) => Err(f.diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()),
        }
    };
    assert_eq!(
        with("awsvpc", "FARGATE"),
        Ok(wharf::ir::NetworkMode::Awsvpc)
    );
    assert_eq!(with("bridgy", "EC2"), Err(vec!["E0304"]));
    assert_eq!(codes(source), ["E0211", "E0211"]);
}
