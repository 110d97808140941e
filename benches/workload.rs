//! The benchmark workload, shared by `cargo bench --bench compile` and the
//! whole-process comparison with Pkl (bench/whole-process.sh): per service,
//! a Fargate task with an `app` container (port, env, health check, a
//! secret, FireLens logging) and a FireLens `log-router` that `app` waits
//! for (START), and a Fargate service (desired 2, circuit breaker, private
//! subnets) behind a path rule on one shared ALB.

/// The benchmark program with `n` services.
pub fn program(n: usize) -> String {
    let mut s = header();
    s.push_str(&services(0..n));
    s
}

/// The program's first lines: region, inputs, network, cluster, ALB.
pub fn header() -> String {
    let mut s = String::with_capacity(1024);
    s.push_str(
        "region \"us-east-1\"\n\
         account \"123456789012\"\n\
         input VPC: vpc_id = \"vpc-0123456789abcdef0\"\n\
         input PUBLIC: subnets = \"subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f\"\n\
         input PRIVATE: subnets = \"subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788\"\n\
         input IMAGE_TAG: string = \"v1\"\n\
         network main { vpc VPC; public_subnets PUBLIC; private_subnets PRIVATE }\n\
         cluster bench { capacity FARGATE weight 1; network main }\n\
         alb shared { public; listener 80 http }\n",
    );
    s
}

/// The task and service of each service number in `range`.
pub fn services(range: std::ops::Range<usize>) -> String {
    let mut s = String::with_capacity(range.len() * 900);
    for i in range {
        s.push_str(&format!(
            r#"
task svc{i} {{
  cpu 0.25vcpu
  memory 512MiB
  task_role "arn:aws:iam::123456789012:role/svc{i}-task"
  container app {{
    image "123456789012.dkr.ecr.us-east-1.amazonaws.com/svc{i}:${{IMAGE_TAG}}"
    port 8080
    env SERVICE_NAME = "svc{i}"
    secret DB_PASSWORD = secretsmanager("arn:aws:secretsmanager:us-east-1:123456789012:secret:svc{i}-db", key: "password")
    health "curl -f http://localhost:8080/health || exit 1" every 15s timeout 5s retries 3
    logs firelens {{ Name = "cloudwatch_logs"; region = "us-east-1"; log_group_name = "/svc/svc{i}"; auto_create_group = "false" }}
  }}
  log_router log-router {{ memory_reservation 50MiB }}
}}
service svc{i} in bench {{
  task svc{i}
  count 2
  security_groups ["sg-0123456789abcdef0"]
  expose app:8080 via shared {{ path "/svc{i}/*"; health "/health"; target_group "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/svc{i}/0123456789abcdef" }}
  deploy rolling circuit_breaker rollback
}}
"#
        ));
    }
    s
}

/// The same services as data for bench/pkl/stack.pkl.
pub fn pkl_services(n: usize) -> String {
    let mut s = String::with_capacity(n * 180 + 16);
    s.push_str("services {\n");
    for i in 0..n {
        s.push_str(&format!(
            "  new {{ name = \"svc{i}\"; port = 8080; path = \"/svc{i}/*\"; count = 2; \
             secret = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:svc{i}-db\" }}\n"
        ));
    }
    s.push_str("}\n");
    s
}
