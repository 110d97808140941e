//! Container health checks run by the runner, as the ECS agent runs Docker's.
//! Stage: runner. Input: a container's [`HealthCheck`] and its live status.
//! Output: UNKNOWN -> HEALTHY / UNHEALTHY transitions.
//! Invariants: the first counted check runs one interval after start (until
//! the first success, uncounted probes every 200 ms may pass sooner); a failure
//! inside startPeriod does not count, a success there ends it; `retries`
//! consecutive counted failures make the container UNHEALTHY; one success
//! makes it HEALTHY again. Checking ends when the container stops.

use super::state::{ContainerStatus, ContainerView, Health};
use super::targets::{failure_counts, FAST_PROBE};
use super::task::Task;
use super::Shared;
use crate::manifest::HealthCheck;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Pure state machine of one container's health, so it is tested alone.
#[derive(Debug, Clone)]
pub struct HealthState {
    pub health: Health,
    failures: u32,
    in_start_period: bool,
}

impl HealthState {
    pub fn new() -> HealthState {
        HealthState {
            health: Health::Unknown,
            failures: 0,
            in_start_period: true,
        }
    }

    /// Records one check result `since_start` after the container started.
    pub fn record(&mut self, check: &HealthCheck, ok: bool, since_start: Duration) -> Health {
        if ok {
            self.failures = 0;
            self.in_start_period = false;
            self.health = Health::Healthy;
        } else if self.in_start_period && since_start < Duration::from_millis(check.start_period_ms)
        {
            // Failures during startPeriod are not counted.
        } else {
            self.in_start_period = false;
            self.failures += 1;
            if self.failures >= check.retries.max(1) {
                self.health = Health::Unhealthy;
            }
        }
        self.health
    }
}

impl Default for HealthState {
    fn default() -> Self {
        HealthState::new()
    }
}

pub(crate) async fn run_container_check(
    shared: Arc<Shared>,
    task: Arc<Task>,
    index: usize,
    check: HealthCheck,
    mut status: watch::Receiver<ContainerView>,
    on_health: impl Fn(Health) + Send + 'static,
) {
    let started = Instant::now();
    let mut state = HealthState::new();
    let interval = Duration::from_millis(check.interval_ms.max(1));
    let timeout = Duration::from_millis(check.timeout_ms.max(1));
    let spec = &task.spec.containers[index];
    // ECS's first check is one interval after start; counted attempts keep
    // that pace, while until the first success extra probes every
    // FAST_PROBE may find the app up sooner (their failures do not count).
    let mut last_counted = Some(started);
    loop {
        let wait = if state.health == Health::Unknown {
            interval.min(FAST_PROBE)
        } else {
            interval
        };
        let stopped = status.wait_for(|v| v.status == ContainerStatus::Stopped);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped => return,
        }
        let ok = tokio::select! {
            ok = shared.driver.health_check(&task.spec, spec, &check.command, timeout) => ok,
            _ = status.wait_for(|v| v.status == ContainerStatus::Stopped) => return,
        };
        if !ok && state.health == Health::Unknown && !failure_counts(last_counted, interval) {
            continue;
        }
        last_counted = Some(Instant::now());
        let before = state.health;
        let after = state.record(&check, ok, started.elapsed());
        if after != before {
            let word = match after {
                Health::Healthy => "HEALTHY",
                Health::Unhealthy => "UNHEALTHY",
                Health::Unknown => "UNKNOWN",
            };
            shared.log_runner(&task.spec, &format!("container {} is {word}", spec.name));
            on_health(after);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::HealthCommand;

    fn check(retries: u32, start_period_ms: u64) -> HealthCheck {
        HealthCheck {
            command: HealthCommand::Shell("true".into()),
            interval_ms: 1000,
            timeout_ms: 500,
            retries,
            start_period_ms,
        }
    }

    #[test]
    fn retries_consecutive_failures_make_unhealthy() {
        let c = check(3, 0);
        let mut s = HealthState::new();
        let t = Duration::from_secs(5);
        assert_eq!(s.record(&c, false, t), Health::Unknown);
        assert_eq!(s.record(&c, false, t), Health::Unknown);
        assert_eq!(s.record(&c, false, t), Health::Unhealthy);
        assert_eq!(s.record(&c, true, t), Health::Healthy);
    }

    #[test]
    fn failures_in_start_period_do_not_count() {
        let c = check(1, 10_000);
        let mut s = HealthState::new();
        assert_eq!(s.record(&c, false, Duration::from_secs(2)), Health::Unknown);
        assert_eq!(s.record(&c, false, Duration::from_secs(9)), Health::Unknown);
        assert_eq!(
            s.record(&c, false, Duration::from_secs(11)),
            Health::Unhealthy
        );
    }

    #[test]
    fn success_ends_start_period() {
        let c = check(1, 10_000);
        let mut s = HealthState::new();
        assert_eq!(s.record(&c, true, Duration::from_secs(1)), Health::Healthy);
        assert_eq!(
            s.record(&c, false, Duration::from_secs(2)),
            Health::Unhealthy
        );
    }
}
