//! Monthly price of a program's Fargate tasks, by the Fargate formula:
//! per task and hour, `vCPU x vCPU price + GB x GB price` (plus the
//! Windows license per vCPU and ephemeral storage above the free 20 GB),
//! times tasks, times the hours of a month. Prices come from the embedded
//! table `prices.json`, which names its date and source. Tasks on EC2
//! capacity are not priced: EC2 bills the instances, not the tasks.

use crate::ir::{self, Arch, CapacityProvider, Compatibility, Launch, Scheduling};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const PRICES: &str = include_str!("prices.json");

/// The embedded price table.
#[derive(Debug, Clone, Deserialize)]
pub struct PriceTable {
    pub date: String,
    pub source: String,
    pub hours_per_month: f64,
    pub spot_discount_percent: f64,
    pub spot_note: String,
    pub free_ephemeral_gb: f64,
    pub regions: BTreeMap<String, RegionPrices>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RegionPrices {
    pub linux_x86_64: Rate,
    pub linux_arm64: Rate,
    pub windows_x86_64: Rate,
    pub ephemeral_gb_hour: f64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Rate {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
    /// Windows: the OS license, billed per vCPU and hour on top.
    #[serde(default)]
    pub license_vcpu_hour: f64,
}

impl PriceTable {
    pub fn embedded() -> PriceTable {
        serde_json::from_str(PRICES).expect("the embedded price table is valid")
    }
}

/// Why a program cannot be priced.
#[derive(Debug, Clone, PartialEq)]
pub enum CostError {
    /// Neither `--region` nor `region "..."` in the program.
    NoRegion,
    /// The table has no price for this region; the regions it has.
    UnpricedRegion { region: String, known: Vec<String> },
}

/// The price of a whole program.
#[derive(Debug, Clone, Serialize)]
pub struct CostReport {
    pub region: String,
    pub price_date: String,
    pub price_source: String,
    pub hours_per_month: f64,
    pub spot_discount_percent: f64,
    pub services: Vec<ServiceCost>,
    /// USD a month at every service's desired count (Fargate tasks only).
    pub total_monthly: f64,
    /// USD a month with every auto scaled service at its minimum / maximum.
    pub total_monthly_min: f64,
    pub total_monthly_max: f64,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceCost {
    pub service: String,
    pub cluster: String,
    pub task: String,
    /// Task size; `None` when the task definition sets none (EC2).
    pub vcpu: Option<f64>,
    pub memory_gb: Option<f64>,
    /// `Linux/X86_64`, `Linux/ARM64`, `Windows/X86_64`.
    pub platform: String,
    /// `None` for a DAEMON service (one task per instance).
    pub desired_count: Option<u32>,
    /// Auto scaling range.
    pub autoscale: Option<Range>,
    /// USD per task and hour on regular Fargate; `None` if not on Fargate.
    pub task_hourly: Option<f64>,
    /// Tasks per capacity at the desired count.
    pub placement: Vec<Placement>,
    pub monthly: f64,
    pub monthly_min: f64,
    pub monthly_max: f64,
    /// Tasks on EC2 capacity at the desired count (priced by instances).
    pub ec2_tasks: u32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Placement {
    pub capacity: String,
    pub tasks: u32,
    /// `0` for tasks on EC2 capacity, which are not priced.
    pub monthly: f64,
    /// EC2 capacity: billed by the instances, not the tasks.
    pub ec2: bool,
}

/// What a task of one capacity costs in an hour: `None` = EC2 (unpriced).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Fargate,
    Spot,
    Ec2,
}

/// Prices `program` in `region` (else the program's own region).
pub fn cost(
    program: &ir::Program,
    region: Option<&str>,
    table: &PriceTable,
) -> Result<CostReport, CostError> {
    let region = region
        .or(program.region.as_deref())
        .ok_or(CostError::NoRegion)?;
    let prices = table
        .regions
        .get(region)
        .ok_or_else(|| CostError::UnpricedRegion {
            region: region.to_string(),
            known: table.regions.keys().cloned().collect(),
        })?;
    let index = ir::Index::new(program);
    let hours = table.hours_per_month;
    let spot_factor = 1.0 - table.spot_discount_percent / 100.0;
    let mut services = Vec::with_capacity(program.services.len());
    let mut any_spot = false;
    let mut any_ec2 = false;
    for s in &program.services {
        let task = index.task(&s.task);
        let cluster = index.cluster(&s.cluster);
        let vcpu = task.cpu.map_or(0.0, |c| f64::from(c) / 1024.0);
        let gb = task.memory.map_or(0.0, |m| f64::from(m) / 1024.0);
        let (platform, rate) = if task.is_windows() {
            ("Windows/X86_64", prices.windows_x86_64)
        } else if task.arch == Some(Arch::Arm64) {
            ("Linux/ARM64", prices.linux_arm64)
        } else {
            ("Linux/X86_64", prices.linux_x86_64)
        };
        let extra_gb = task
            .ephemeral_storage_gib
            .map_or(0.0, |g| (f64::from(g) - table.free_ephemeral_gb).max(0.0));
        let hourly = vcpu * (rate.vcpu_hour + rate.license_vcpu_hour)
            + gb * rate.gb_hour
            + extra_gb * prices.ephemeral_gb_hour;
        let strategy = strategy(s, cluster, task);
        let per_task = |kind: Kind| match kind {
            Kind::Fargate => hourly * hours,
            Kind::Spot => hourly * spot_factor * hours,
            Kind::Ec2 => 0.0,
        };
        let price = |count: u32| -> (Vec<Placement>, f64, u32) {
            let split = allocate(count, &strategy);
            let mut total = 0.0;
            let mut ec2 = 0;
            let placement = split
                .into_iter()
                .map(|(name, kind, tasks)| {
                    let monthly = cents(per_task(kind) * f64::from(tasks));
                    total += monthly;
                    if kind == Kind::Ec2 {
                        ec2 += tasks;
                    }
                    Placement {
                        capacity: name,
                        tasks,
                        monthly,
                        ec2: kind == Kind::Ec2,
                    }
                })
                .collect();
            (placement, cents(total), ec2)
        };
        let on_fargate = strategy.iter().any(|(_, k, _, _)| *k != Kind::Ec2);
        any_spot |= strategy.iter().any(|(_, k, _, _)| *k == Kind::Spot);
        let autoscale = s.autoscale.as_ref().map(|a| Range {
            min: a.min,
            max: a.max,
        });
        let entry = match (s.scheduling, s.desired_count) {
            (Scheduling::Replica, Some(count)) => {
                let (placement, monthly, ec2_tasks) = price(count);
                let (lo, hi) = autoscale.map_or((count, count), |r| (r.min, r.max));
                let (_, monthly_min, _) = price(lo);
                let (_, monthly_max, _) = price(hi);
                any_ec2 |= ec2_tasks > 0 || strategy.iter().any(|(_, k, _, _)| *k == Kind::Ec2);
                let note = (ec2_tasks > 0).then(|| {
                    format!("{ec2_tasks} task(s) on EC2 capacity: priced by the instances, not the tasks")
                });
                ServiceCost {
                    service: s.name.clone(),
                    cluster: s.cluster.to_string(),
                    task: s.task.to_string(),
                    vcpu: task.cpu.map(|_| vcpu),
                    memory_gb: task.memory.map(|_| gb),
                    platform: platform.to_string(),
                    desired_count: Some(count),
                    autoscale,
                    task_hourly: on_fargate.then_some((hourly * 1e6).round() / 1e6),
                    placement,
                    monthly,
                    monthly_min,
                    monthly_max,
                    ec2_tasks,
                    note,
                }
            }
            _ => {
                any_ec2 = true;
                ServiceCost {
                    service: s.name.clone(),
                    cluster: s.cluster.to_string(),
                    task: s.task.to_string(),
                    vcpu: task.cpu.map(|_| vcpu),
                    memory_gb: task.memory.map(|_| gb),
                    platform: platform.to_string(),
                    desired_count: None,
                    autoscale,
                    task_hourly: None,
                    placement: Vec::new(),
                    monthly: 0.0,
                    monthly_min: 0.0,
                    monthly_max: 0.0,
                    ec2_tasks: 0,
                    note: Some(
                        "DAEMON service: one task per EC2 instance, priced by the instances, not the tasks"
                            .to_string(),
                    ),
                }
            }
        };
        services.push(entry);
    }
    let mut notes = Vec::new();
    if any_spot {
        notes.push(table.spot_note.clone());
    }
    if any_ec2 {
        notes.push(
            "EC2 capacity is billed by the instances of its auto scaling group, not by tasks: no price is given for tasks on it"
                .to_string(),
        );
    }
    Ok(CostReport {
        region: region.to_string(),
        price_date: table.date.clone(),
        price_source: table.source.clone(),
        hours_per_month: hours,
        spot_discount_percent: table.spot_discount_percent,
        total_monthly: cents(services.iter().map(|s| s.monthly).sum()),
        total_monthly_min: cents(services.iter().map(|s| s.monthly_min).sum()),
        total_monthly_max: cents(services.iter().map(|s| s.monthly_max).sum()),
        services,
        notes,
    })
}

/// The capacity strategy a service's tasks are placed by: `(provider, kind,
/// base, weight)`, in order.
fn strategy(
    s: &ir::Service,
    cluster: &ir::Cluster,
    task: &ir::Task,
) -> Vec<(String, Kind, u32, u32)> {
    let kind_of = |name: &str| -> Kind {
        match cluster.capacity_providers.iter().find(|p| p.name() == name) {
            Some(CapacityProvider::Fargate) => Kind::Fargate,
            Some(CapacityProvider::FargateSpot) => Kind::Spot,
            Some(CapacityProvider::Ec2(_)) => Kind::Ec2,
            None if name == "FARGATE" => Kind::Fargate,
            None if name == "FARGATE_SPOT" => Kind::Spot,
            None => Kind::Ec2,
        }
    };
    let items = match &s.launch {
        Launch::Type(Compatibility::Fargate) => {
            return vec![("FARGATE".to_string(), Kind::Fargate, 0, 1)]
        }
        Launch::Type(c) => return vec![(c.as_str().to_string(), Kind::Ec2, 0, 1)],
        Launch::Strategy(items) => items,
        Launch::ClusterDefault => &cluster.default_strategy,
    };
    if items.is_empty() {
        // No strategy anywhere: ECS's default launch type, which a
        // Fargate-only task definition cannot be placed by but Fargate.
        return if task.is_fargate() && !task.compatibilities.contains(&Compatibility::Ec2) {
            vec![("FARGATE".to_string(), Kind::Fargate, 0, 1)]
        } else {
            vec![("EC2".to_string(), Kind::Ec2, 0, 1)]
        };
    }
    items
        .iter()
        .map(|i| (i.provider.clone(), kind_of(&i.provider), i.base, i.weight))
        .collect()
}

/// Splits `count` tasks over a strategy as ECS does: each provider's base
/// first, in order, then the rest by weight (whole tasks, the remainders
/// going to the largest fractions, ties to the provider named first).
fn allocate(count: u32, strategy: &[(String, Kind, u32, u32)]) -> Vec<(String, Kind, u32)> {
    let mut tasks = vec![0u32; strategy.len()];
    let mut left = count;
    for (i, (_, _, base, _)) in strategy.iter().enumerate() {
        let b = (*base).min(left);
        tasks[i] += b;
        left -= b;
    }
    let total_weight: u64 = strategy.iter().map(|(_, _, _, w)| u64::from(*w)).sum();
    if left > 0 {
        if let Some(total_weight) = std::num::NonZeroU64::new(total_weight) {
            let total_weight = total_weight.get();
            let mut given = 0u32;
            let mut rema: Vec<(u64, usize)> = Vec::new();
            for (i, (_, _, _, w)) in strategy.iter().enumerate() {
                let share = u64::from(left) * u64::from(*w);
                let whole = (share / total_weight) as u32;
                tasks[i] += whole;
                given += whole;
                rema.push((share % total_weight, i));
            }
            rema.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, i) in rema.into_iter().take((left - given) as usize) {
                tasks[i] += 1;
            }
        } else {
            // Only bases: ECS puts the rest on the first provider.
            tasks[0] += left;
        }
    }
    strategy
        .iter()
        .zip(tasks)
        .map(|((name, kind, _, _), n)| (name.clone(), *kind, n))
        .collect()
}

/// Rounded to the cent: every amount of a report is, so totals add up to
/// the lines shown.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Two decimals, as money is written.
pub fn usd(x: f64) -> String {
    format!("{:.2}", x + 0.0)
}

/// Trims a number to what it says: `0.25`, `2`, `0.5`.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The report as text for people, one block per service then the totals.
pub fn render_human(r: &CostReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Fargate prices for {} of {} ({}), {} hours a month",
        r.region,
        r.price_date,
        r.price_source,
        num(r.hours_per_month)
    );
    for s in &r.services {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "service {} (cluster {}, task {}): {} vCPU, {} GB, {}",
            s.service,
            s.cluster,
            s.task,
            s.vcpu.map_or("-".to_string(), num),
            s.memory_gb.map_or("-".to_string(), num),
            s.platform
        );
        if let Some(h) = s.task_hourly {
            let _ = writeln!(out, "  per task on FARGATE: {:.6} USD/hour", h);
        }
        if let Some(n) = s.desired_count {
            {
                let _ = writeln!(out, "  desired count {n}:");
                for p in &s.placement {
                    let price = if p.ec2 && p.tasks > 0 {
                        "priced by EC2 instances".to_string()
                    } else {
                        format!("{} USD/month", usd(p.monthly))
                    };
                    let _ = writeln!(
                        out,
                        "    {:<14} {:>4} task(s)  {}",
                        p.capacity, p.tasks, price
                    );
                }
                let _ = writeln!(
                    out,
                    "    {:<14} {:>4} task(s)  {} USD/month{}",
                    "total",
                    n,
                    usd(s.monthly),
                    if s.ec2_tasks > 0 {
                        " (Fargate tasks only)"
                    } else {
                        ""
                    }
                );
                if let Some(r) = s.autoscale {
                    let _ = writeln!(
                        out,
                        "  autoscale {}..{}: {} .. {} USD/month",
                        r.min,
                        r.max,
                        usd(s.monthly_min),
                        usd(s.monthly_max)
                    );
                }
            }
        }
        if let Some(note) = &s.note {
            let _ = writeln!(out, "  note: {note}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "total: {} USD/month", usd(r.total_monthly));
    if (r.total_monthly_min, r.total_monthly_max) != (r.total_monthly, r.total_monthly) {
        let _ = writeln!(
            out,
            "total with auto scaling: {} .. {} USD/month",
            usd(r.total_monthly_min),
            usd(r.total_monthly_max)
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strat(items: &[(&str, Kind, u32, u32)]) -> Vec<(String, Kind, u32, u32)> {
        items
            .iter()
            .map(|(n, k, b, w)| (n.to_string(), *k, *b, *w))
            .collect()
    }

    #[test]
    fn base_first_then_weights() {
        let s = strat(&[
            ("FARGATE", Kind::Fargate, 2, 1),
            ("FARGATE_SPOT", Kind::Spot, 0, 3),
        ]);
        let got: Vec<u32> = allocate(6, &s).into_iter().map(|x| x.2).collect();
        assert_eq!(got, vec![3, 3]);
        let got: Vec<u32> = allocate(1, &s).into_iter().map(|x| x.2).collect();
        assert_eq!(got, vec![1, 0]);
        let got: Vec<u32> = allocate(7, &s).into_iter().map(|x| x.2).collect();
        assert_eq!(got, vec![3, 4]);
    }

    #[test]
    fn us_east_1_has_the_published_linux_prices() {
        let t = PriceTable::embedded();
        let r = &t.regions["us-east-1"];
        assert_eq!(r.linux_x86_64.vcpu_hour, 0.04048);
        assert_eq!(r.linux_x86_64.gb_hour, 0.004445);
        assert_eq!(t.hours_per_month, 730.0);
    }
}
