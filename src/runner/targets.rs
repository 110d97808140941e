//! Target groups: the registered task endpoints behind a listener (or behind a
//! service discovery name) and their health. Stage: runner. Input: task
//! registrations. Output: round-robin picks over healthy targets only.
//! Invariants (ELB): a new target is `initial` until one check passes; a
//! healthy target turns `unhealthy` after `unhealthyThreshold` consecutive
//! failures and back after `healthyThreshold` successes; a deregistered
//! target is `draining`, gets no new requests, and leaves when its in-flight
//! requests finish or the deregistration delay passes, whichever is first.

use super::state::TargetHealth;
use crate::manifest::TargetHealthCheck;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

/// One task endpoint in a target group.
pub struct Target {
    pub task_id: String,
    pub addr: SocketAddr,
    health: Mutex<TargetHealth>,
    inflight: AtomicUsize,
    retired: watch::Sender<bool>,
}

impl Target {
    pub fn health(&self) -> TargetHealth {
        *self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_health(&self, h: TargetHealth) {
        *self.health.lock().unwrap_or_else(|e| e.into_inner()) = h;
    }

    pub fn inflight(&self) -> usize {
        self.inflight.load(Ordering::SeqCst)
    }
}

/// Counts a request or connection as in flight on a target until dropped.
pub struct InFlight(Arc<Target>);

impl InFlight {
    pub fn new(t: Arc<Target>) -> InFlight {
        t.inflight.fetch_add(1, Ordering::SeqCst);
        InFlight(t)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a target group checks: HTTP GET of a path, or a TCP connect (NLB,
/// and service discovery names).
#[derive(Debug, Clone)]
pub enum Probe {
    Http(TargetHealthCheck),
    Tcp(TargetHealthCheck),
}

pub struct TargetGroup {
    /// `lb-name:listener-port`, `discovery:name` or `connect:alias:port`.
    pub name: String,
    pub service: String,
    pub container_port: u16,
    pub probe: Probe,
    pub deregistration_delay: Duration,
    targets: Mutex<Vec<Arc<Target>>>,
    next: AtomicUsize,
    changed: Arc<dyn Fn() + Send + Sync>,
}

impl TargetGroup {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: String,
        service: String,
        container_port: u16,
        probe: Probe,
        deregistration_delay: Duration,
        changed: Arc<dyn Fn() + Send + Sync>,
    ) -> Arc<TargetGroup> {
        Arc::new(TargetGroup {
            name,
            service,
            container_port,
            probe,
            deregistration_delay,
            targets: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
            changed,
        })
    }

    pub fn targets(&self) -> Vec<Arc<Target>> {
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Next healthy target in round-robin order, skipping `tried`.
    pub fn pick(&self, tried: &[SocketAddr]) -> Option<Arc<Target>> {
        let targets = self.targets.lock().unwrap_or_else(|e| e.into_inner());
        let usable =
            |t: &&Arc<Target>| t.health() == TargetHealth::Healthy && !tried.contains(&t.addr);
        // Counted, then walked again: no allocation per request.
        let count = targets.iter().filter(usable).count();
        if count == 0 {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % count;
        targets.iter().filter(usable).nth(i).cloned()
    }

    /// Registers a task endpoint and starts its health checks.
    pub fn register(self: &Arc<Self>, task_id: &str, addr: SocketAddr) {
        let target = Arc::new(Target {
            task_id: task_id.into(),
            addr,
            health: Mutex::new(TargetHealth::Initial),
            inflight: AtomicUsize::new(0),
            retired: watch::channel(false).0,
        });
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(target.clone());
        (self.changed)();
        let (check, http) = match &self.probe {
            Probe::Http(c) => (c.clone(), true),
            Probe::Tcp(c) => (c.clone(), false),
        };
        tokio::spawn(check_loop(self.clone(), target, check, http));
    }

    /// Drains and removes every target of a task, waiting at most the
    /// deregistration delay, or `cap` if smaller (runner shutdown).
    pub async fn deregister(&self, task_id: &str, cap: Option<Duration>) {
        let mine: Vec<Arc<Target>> = self
            .targets()
            .into_iter()
            .filter(|t| t.task_id == task_id)
            .collect();
        for t in &mine {
            t.set_health(TargetHealth::Draining);
            let _ = t.retired.send(true);
        }
        (self.changed)();
        let delay = cap.map_or(self.deregistration_delay, |c| {
            c.min(self.deregistration_delay)
        });
        let deadline = tokio::time::Instant::now() + delay;
        while mine.iter().any(|t| t.inflight() > 0) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|t| t.task_id != task_id);
        (self.changed)();
    }
}

/// Counts consecutive results and applies the ELB state transitions.
#[derive(Debug, Default)]
pub struct Thresholds {
    ok: u32,
    bad: u32,
}

impl Thresholds {
    pub fn next(&mut self, now: TargetHealth, ok: bool, check: &TargetHealthCheck) -> TargetHealth {
        if ok {
            self.ok += 1;
            self.bad = 0;
        } else {
            self.bad += 1;
            self.ok = 0;
        }
        match now {
            TargetHealth::Initial if ok => TargetHealth::Healthy,
            TargetHealth::Unhealthy if self.ok >= check.healthy_threshold.max(1) => {
                TargetHealth::Healthy
            }
            TargetHealth::Initial | TargetHealth::Healthy
                if self.bad >= check.unhealthy_threshold.max(1) =>
            {
                TargetHealth::Unhealthy
            }
            other => other,
        }
    }
}

/// How often a target or container that has not passed a check yet is
/// probed locally. Only probes `interval` apart count as failures, so
/// `unhealthyThreshold`, `retries` and `startPeriod` keep ECS's meaning;
/// the probes in between can only find the app up sooner.
pub const FAST_PROBE: Duration = Duration::from_millis(200);

/// Whether a failed probe counts: the first one does, then one per `interval`.
pub fn failure_counts(last_counted: Option<tokio::time::Instant>, interval: Duration) -> bool {
    last_counted.is_none_or(|t| t.elapsed() >= interval)
}

async fn check_loop(
    group: Arc<TargetGroup>,
    target: Arc<Target>,
    check: TargetHealthCheck,
    http: bool,
) {
    let mut retired = target.retired.subscribe();
    let mut counts = Thresholds::default();
    let interval = Duration::from_millis(check.interval_ms.max(1));
    let timeout = Duration::from_millis(check.timeout_ms.max(1));
    let mut last_counted = None;
    loop {
        if *retired.borrow() {
            return;
        }
        let probe = async {
            if http {
                http_probe(target.addr, check.path.as_deref().unwrap_or("/"), &check).await
            } else {
                tokio::net::TcpStream::connect(target.addr).await.is_ok()
            }
        };
        let ok = tokio::time::timeout(timeout, probe).await.unwrap_or(false);
        let now = target.health();
        if now == TargetHealth::Draining {
            return;
        }
        if ok || now != TargetHealth::Initial || failure_counts(last_counted, interval) {
            last_counted = Some(tokio::time::Instant::now());
            let next = counts.next(now, ok, &check);
            if next != now {
                target.set_health(next);
                (group.changed)();
            }
        }
        let wait = if target.health() == TargetHealth::Initial {
            interval.min(FAST_PROBE)
        } else {
            interval
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = retired.changed() => return,
        }
    }
}

/// The end of an HTTP/1.x response in `answer`, if it is complete: headers,
/// then `Content-Length` bytes, or a chunked body's last chunk. `None` also
/// for a body delimited by the connection closing.
fn response_complete(answer: &[u8]) -> bool {
    let Some(head_end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    let body = &answer[head_end + 4..];
    let status: u16 = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    if (100..200).contains(&status) || status == 204 || status == 304 {
        return true;
    }
    for line in head.lines() {
        if let Some(v) = line.strip_prefix("content-length:") {
            return v.trim().parse::<usize>().is_ok_and(|n| body.len() >= n);
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            return body.ends_with(b"0\r\n\r\n");
        }
    }
    false
}

/// GET `path`; healthy when the status satisfies the target group's matcher.
/// The whole response is read (so the target never sees a reset
/// connection), and a response is complete by its length, so a server that
/// keeps the connection open despite `Connection: close` still passes.
async fn http_probe(addr: SocketAddr, path: &str, check: &TargetHealthCheck) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: ELB-HealthChecker/2.0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) if answer.len() < 65_536 => {
                answer.extend_from_slice(&buf[..n]);
                if response_complete(&answer) {
                    break;
                }
            }
            Ok(_) => break,
            Err(_) if answer.len() >= 12 => break,
            Err(_) => return false,
        }
    }
    let line = String::from_utf8_lossy(&answer[..answer.len().min(16)]);
    let code: u16 = line.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    check.matches(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_end_by_length_or_last_chunk() {
        assert!(response_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        ));
        assert!(!response_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok"
        ));
        assert!(response_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
        ));
        assert!(response_complete(b"HTTP/1.1 204 No Content\r\n\r\n"));
        assert!(!response_complete(b"HTTP/1.0 200 OK\r\n\r\nuntil close"));
        assert!(!response_complete(b"HTTP/1.1 200 OK\r\nContent-"));
    }

    #[test]
    fn elb_thresholds() {
        let check = TargetHealthCheck {
            path: None,
            interval_ms: 1,
            timeout_ms: 1,
            healthy_threshold: 3,
            unhealthy_threshold: 2,
            matcher: "200".into(),
        };
        let mut t = Thresholds::default();
        let mut h = TargetHealth::Initial;
        h = t.next(h, true, &check);
        assert_eq!(h, TargetHealth::Healthy, "one pass leaves initial");
        h = t.next(h, false, &check);
        assert_eq!(h, TargetHealth::Healthy);
        h = t.next(h, false, &check);
        assert_eq!(h, TargetHealth::Unhealthy);
        h = t.next(h, true, &check);
        h = t.next(h, true, &check);
        assert_eq!(h, TargetHealth::Unhealthy);
        h = t.next(h, true, &check);
        assert_eq!(h, TargetHealth::Healthy);
    }
}
