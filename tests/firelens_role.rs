//! A FireLens router writes to CloudWatch Logs with the task role: when Wharf
//! generates that role, it allows exactly the log groups the router writes.

use wharf::driver::{self, Memory, Options};

const PROGRAM: &str = r#"
region "eu-west-1"
account "123456789012"
task api {
  cpu 0.5vcpu
  memory 1GiB
  log_router router { }
  container app {
    image "public.ecr.aws/acme/api:1"
    logs firelens { Name = "cloudwatch_logs"; region = "eu-west-1"; log_group_name = "/api/app"; auto_create_group = "true" }
  }
}
"#;

fn compile(src: &str) -> wharf::ir::Program {
    let fs = Memory::with("firelens.wharf", src);
    driver::compile(&fs, "firelens.wharf".as_ref(), &Options::default())
        .unwrap_or_else(|d| panic!("{d}"))
        .program
}

#[test]
fn generated_task_role_allows_the_routers_log_group() {
    let p = compile(PROGRAM);
    let task = p.task("api");
    assert_eq!(task.task_role, wharf::ir::Role::Generated);
    assert_eq!(task.permissions.len(), 1);
    let perm = &task.permissions[0];
    assert_eq!(
        perm.actions,
        [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents"
        ]
    );
    assert_eq!(
        perm.resources[0].as_literal().as_deref(),
        Some("arn:aws:logs:eu-west-1:123456789012:log-group:/api/app:*")
    );
    let stack = wharf::emit::cloudformation::emit_cloudformation(
        &p,
        wharf::emit::cloudformation::Format::Json,
    )
    .expect("a stack");
    assert!(
        stack[0].contents.contains("log-group:/api/app:*"),
        "the stack's task role grants the group"
    );
    // The ECS API cannot create the role: a coded refusal, not a task whose logs fail.
    let refused = wharf::emit::ecs::emit_ecs(&p).expect_err("needs a task role ARN");
    assert_eq!(refused[0].code.as_str(), "E0506");
}

#[test]
fn a_given_task_role_is_left_alone() {
    let src = PROGRAM.replace(
        "memory 1GiB",
        "memory 1GiB\n  task_role \"arn:aws:iam::123456789012:role/api\"",
    );
    let p = compile(&src);
    assert!(p.task("api").permissions.is_empty());
}

/// A group Fluent Bit names at run time (`$(ecs_cluster)`, `${ENV}`) is not
/// created by the stack, and the role allows every name it can become.
#[test]
fn templated_group_is_fluent_bits_and_the_role_covers_it() {
    let src = PROGRAM.replace(
        "log_group_name = \"/api/app\"",
        "log_group_name = \"/aws/ecs/containerinsights/$(ecs_cluster)/application\"",
    );
    let p = compile(&src);
    assert!(p.log_groups.is_empty(), "{:?}", p.log_groups);
    let perm = &p.task("api").permissions[0];
    assert_eq!(
        perm.resources[0].as_literal().as_deref(),
        Some("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/containerinsights/*/application:*")
    );
}
