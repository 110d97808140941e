//! EC2 capacity a cluster creates (issue 12 item 6):
//!
//! ```text
//! cluster prod {
//!   capacity workers weight 1 {
//!     instance_type "m7g.large"        // Graviton: the ARM64 ECS-optimized AMI
//!     instances 1..10                  // the auto scaling group's min and max
//!     desired 2
//!     target 90%                       // managed scaling
//!     protect on                       // managed termination protection
//!   }
//! }
//! ```
//!
//! A `capacity NAME { ... }` with a block is created capacity: a launch
//! template (the ECS-optimized AMI from its public SSM parameter, user data
//! joining the cluster), an auto scaling group, the instance role and
//! profile and the instance security group, and the capacity provider with
//! managed scaling (always) and managed termination protection (unless
//! `protect off`, which the group's new-instance scale-in protection
//! follows). Checks: E0497 (sizes), E0498 (instance type), E0499 (network).

use super::args::Words;
use super::read::{block, set, unknown_property};
use super::vocabulary::{Capacity as Prop, Id, Kind};
use super::Cx;
use crate::ast::{ExprKind, Statement};
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::{self, Arch};

/// What the block says; the network is resolved by the cluster, which may
/// name its own after this statement.
pub struct Written {
    pub capacity: ir::CreatedCapacity,
    pub network: Option<String>,
    pub target: u32,
    pub protect: bool,
}

pub(super) fn read(cx: &mut Cx, s: &Statement) -> Option<Written> {
    let mut instance_type = None;
    let mut instances = None;
    let mut desired = None;
    let mut target = None;
    let mut protect = None;
    let mut arch = None;
    let mut network = None;
    let mut volume = None;
    let mut os: Option<(String, Span)> = None;
    let mut ok = true;
    for b in block(s) {
        let Some(prop) = Prop::from_name(&b.head.name) else {
            unknown_property(cx, Id::Capacity, b);
            continue;
        };
        let mut w = Words::new(b);
        match prop {
            Prop::InstanceType => {
                let v = w
                    .required(cx, "an instance type such as \"m7g.large\"")
                    .and_then(|e| cx.literal(e).map(|t| (t, e.span)));
                set(cx, &mut instance_type, b, v)
            }
            Prop::Instances => {
                let v = w
                    .required(cx, "a range of instances such as 1..10")
                    .and_then(|e| match &e.kind {
                        ExprKind::Range(lo, hi) => Some((cx.int(lo)?, cx.int(hi)?, e.span)),
                        _ => {
                            cx.push(super::errors::type_mismatch(
                                "a range such as 1..10",
                                e.describe(),
                                e.span,
                            ));
                            None
                        }
                    });
                set(cx, &mut instances, b, v)
            }
            Prop::Desired => {
                let v = w
                    .required(cx, "a number of instances")
                    .and_then(|e| cx.int(e).map(|n| (n, e.span)));
                set(cx, &mut desired, b, v)
            }
            Prop::Target => {
                let v = w.required(cx, "a percentage, 1% to 100%").and_then(|e| {
                    let v = cx.percent_whole(e)?;
                    if (1..=100).contains(&v) {
                        Some(v)
                    } else {
                        cx.push(super::errors::out_of_range(
                            "a target capacity",
                            &format!("{v}%"),
                            "1% to 100%",
                            e.span,
                        ));
                        None
                    }
                });
                set(cx, &mut target, b, v)
            }
            Prop::Protect => {
                let v = match w.positional() {
                    Some(e) => cx.boolean(e),
                    None => Some(true),
                };
                set(cx, &mut protect, b, v)
            }
            Prop::Arch => {
                let v = w.required(cx, "x86_64 or arm64").and_then(|e| {
                    cx.choice(e, "a CPU architecture", Prop::Arch.property().choices)
                        .map(|a| {
                            let arch = if a == "arm64" {
                                Arch::Arm64
                            } else {
                                Arch::X86_64
                            };
                            (arch, e.span)
                        })
                });
                set(cx, &mut arch, b, v)
            }
            Prop::Os => {
                let v = w.required(cx, "an operating system family").and_then(|e| {
                    cx.choice(e, "an operating system family", Prop::Os.property().choices)
                        .map(|f| (f.to_ascii_uppercase(), e.span))
                });
                set(cx, &mut os, b, v)
            }
            Prop::Network => {
                let v = w
                    .required(cx, "a network name")
                    .and_then(|e| super::read::reference(cx, e, Kind::Network));
                set(cx, &mut network, b, v)
            }
            Prop::RootVolume => {
                let v = w
                    .required(cx, "a size such as 30GiB")
                    .and_then(|e| cx.gib(e).map(|g| (g, e.span)));
                set(cx, &mut volume, b, v)
            }
        }
        w.finish(cx);
    }
    let span = s.words.first().map_or(s.span, |w| w.span);
    let Some((instance_type, type_span)) = instance_type else {
        cx.push(super::errors::missing_property(
            "capacity",
            &s.words
                .first()
                .and_then(|w| w.as_ident())
                .map_or(String::new(), |i| i.name.clone()),
            "instance_type",
            s,
        ));
        return None;
    };
    let family_arch = instance_arch(&instance_type);
    let Some(family_arch) = family_arch else {
        cx.push(
            Diagnostic::error(
                Code::InstanceType,
                format!("`{instance_type}` is not an EC2 instance type"),
                type_span,
                "expected FAMILY.SIZE",
            )
            .with_help("write the type as EC2 names it, such as \"m7i.large\", \"c7g.xlarge\" or \"t3.medium\""),
        );
        return None;
    };
    let arch = match arch {
        Some((a, at)) if a != family_arch => {
            cx.push(
                Diagnostic::error(
                    Code::InstanceType,
                    format!(
                        "`{instance_type}` is an {} instance type, not {}",
                        family_arch.as_str(),
                        a.as_str()
                    ),
                    at,
                    "the AMI of this architecture would not boot on it",
                )
                .with_label(type_span, "the instance type")
                .with_help("Graviton families (m7g, c7g, t4g, ...: a `g` after the generation) are ARM64; leave out `arch` to follow the instance type"),
            );
            ok = false;
            a
        }
        Some((a, _)) => a,
        None => family_arch,
    };
    let windows = os.filter(|(f, _)| f != "LINUX");
    if let Some((family, at)) = &windows {
        if arch == Arch::Arm64 {
            cx.push(
                Diagnostic::error(
                    Code::InstanceType,
                    format!("`{instance_type}` is an ARM64 instance type: no Windows AMI runs on it"),
                    type_span,
                    "an ARM64 instance type",
                )
                .with_label(*at, "Windows")
                .with_help("ECS-optimized Windows AMIs are x86_64: choose an x86_64 instance type such as \"m7i.large\""),
            );
            ok = false;
        }
        let probe = ir::CreatedCapacity {
            instance_type: String::new(),
            arch,
            min: 0,
            max: 0,
            desired: None,
            network: String::new(),
            root_volume_gib: None,
            windows: Some(family.clone()),
            span,
        };
        if probe.ami_parameter().is_none() {
            cx.push(
                Diagnostic::error(
                    Code::InstanceType,
                    format!("no ECS-optimized AMI for {}", family.to_ascii_lowercase()),
                    *at,
                    "AWS publishes none for this family",
                )
                .with_help("use windows_server_2025_core, _2025_full, _2022_core, _2022_full, _2019_core, _2019_full or _2016_full"),
            );
            ok = false;
        }
    }
    let Some((min, max, range_span)) = instances else {
        cx.push(super::errors::missing_property(
            "capacity",
            &instance_type,
            "instances",
            s,
        ));
        return None;
    };
    if min > max || max == 0 {
        cx.push(size_error(
            format!(
                "instances {min}..{max}: the minimum is above the maximum, or the maximum is 0"
            ),
            range_span,
            "write MIN..MAX with MIN <= MAX and MAX >= 1, such as 1..10",
        ));
        ok = false;
    }
    if let Some((d, at)) = desired {
        if d < min || d > max {
            cx.push(size_error(
                format!("desired {d} is outside instances {min}..{max}"),
                at,
                "EC2 Auto Scaling needs min <= desired <= max",
            ));
            ok = false;
        }
    }
    if let Some((g, at)) = volume {
        if !(30..=16_384).contains(&g) {
            cx.push(size_error(
                format!("a root volume of {g} GiB"),
                at,
                "the ECS-optimized AMIs' snapshots are 30 GiB, and gp3 volumes are at most 16,384 GiB: give 30GiB to 16384GiB",
            ));
            ok = false;
        }
    }
    ok.then(|| Written {
        capacity: ir::CreatedCapacity {
            instance_type,
            arch,
            min,
            max,
            desired: desired.map(|(d, _)| d),
            network: String::new(),
            root_volume_gib: volume.map(|(g, _)| g),
            windows: windows.map(|(f, _)| f),
            span,
        },
        network,
        target: target.unwrap_or(100),
        protect: protect.unwrap_or(true),
    })
}

fn size_error(message: String, span: Span, help: &str) -> Diagnostic {
    Diagnostic::error(
        Code::CapacitySize,
        message,
        span,
        "EC2 Auto Scaling refuses this group",
    )
    .with_help(help)
}

/// The architecture of an instance type `FAMILY.SIZE` (`m7g.large`), or
/// `None` when it is not one. The family is letters, a generation digit
/// and attribute letters (`m7gd`, `c6gn`, `u-6tb1`); a `g` among the
/// attributes is Graviton (ARM64), as is the `a1` family.
pub fn instance_arch(t: &str) -> Option<Arch> {
    let (family, size) = t.split_once('.')?;
    let family_ok = family.starts_with(|c: char| c.is_ascii_lowercase())
        && family
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && family.bytes().any(|b| b.is_ascii_digit());
    let size_ok = !size.is_empty()
        && size
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !family_ok || !size_ok {
        return None;
    }
    if family == "a1" {
        return Some(Arch::Arm64);
    }
    // The attributes: what follows the first run of digits.
    let start = family.find(|c: char| c.is_ascii_digit())?;
    let attributes = family[start..].trim_start_matches(|c: char| c.is_ascii_digit());
    Some(if attributes.contains('g') {
        Arch::Arm64
    } else {
        Arch::X86_64
    })
}

/// E0499: created capacity needs a network for its subnets and security
/// group.
pub fn no_network(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CapacityNetwork,
        format!("created capacity `{name}` has no network"),
        span,
        "its instances need subnets and a VPC for their security group",
    )
    .with_help("add `network NAME` to the capacity block or to its cluster (the network's private subnets are used)")
}
