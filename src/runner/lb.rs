//! Local load balancers on 127.0.0.1: HTTP (ALB) with listener rules, TCP
//! (NLB). Stage: runner. Input: listeners and their target groups. Output:
//! proxied requests and connections. Invariants: rules are evaluated in
//! priority order (lowest first; exposures without rules are the default
//! action); only healthy targets receive traffic, in round robin; a request
//! whose target refuses the connection is retried on another healthy target
//! (any failure is retried for idempotent methods, whose body is buffered),
//! so a request arriving while one target is healthy does not fail. An
//! upgrade (WebSocket) handshake is passed through and, on `101`, the two
//! connections are joined.

use super::proxy;
use super::targets::{InFlight, TargetGroup};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// One routing entry of an HTTP listener.
pub struct Route {
    pub priority: u32,
    pub path_patterns: Vec<String>,
    pub host_headers: Vec<String>,
    pub group: Arc<TargetGroup>,
}

impl Route {
    /// Whether a request for `host` (a `Host` header, port allowed) and
    /// `path` matches this rule: any path pattern, and any host pattern
    /// (ignoring case).
    pub fn matches(&self, host: &str, path: &str) -> bool {
        let host = host.split(':').next().unwrap_or(host);
        (self.path_patterns.is_empty() || self.path_patterns.iter().any(|p| glob(p, path)))
            && (self.host_headers.is_empty()
                || self.host_headers.iter().any(|h| glob_with(h, host, true)))
    }
}

/// ALB wildcard match: `*` any run of characters, `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    glob_with(pattern, text, false)
}

/// [`glob`], ignoring ASCII case when `fold` is set. Works on bytes when
/// both sides are ASCII (no allocation per request), on characters
/// otherwise.
fn glob_with(pattern: &str, text: &str, fold: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        wildcard(pattern.as_bytes(), text.as_bytes(), |a, b| {
            if fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        wildcard(&p, &t, |a: &char, b: &char| {
            if fold {
                a.to_lowercase().eq(b.to_lowercase())
            } else {
                a == b
            }
        })
    }
}

fn wildcard<T: PartialEq + Copy + From<u8>>(p: &[T], t: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    let (star_sym, one_sym) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != star_sym && (p[pi] == one_sym || eq(&p[pi], &t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star_sym {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == star_sym)
}

/// Routes sorted for evaluation: by priority, rule-less defaults last.
pub fn sort_routes(routes: &mut [Route]) {
    routes.sort_by_key(|r| {
        (
            r.path_patterns.is_empty() && r.host_headers.is_empty(),
            r.priority,
        )
    });
}

type ProxyBody = http_body_util::combinators::BoxBody<Bytes, hyper::Error>;

fn plain(status: StatusCode, text: &str) -> Response<ProxyBody> {
    let body = Full::new(Bytes::from(text.to_string()))
        .map_err(|never| match never {})
        .boxed();
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r
}

/// Serves a redirect listener: every request gets `301 Moved Permanently`
/// to the same host, path and query on the listener of port `to`, as an ALB
/// `redirect` action does. Local listeners speak plain HTTP (no
/// certificates), so the location keeps `http` and uses the local port of
/// that listener (`target_local`), or `to` when the load balancer has none.
pub async fn serve_redirect(listener: TcpListener, to: u16, target_local: Option<u16>) {
    let port = target_local.unwrap_or(to);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| async move {
                let host = req
                    .headers()
                    .get(hyper::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(|h| match h.rsplit_once(':') {
                        Some((name, port)) if !h.ends_with(']') && port.parse::<u16>().is_ok() => {
                            name.to_string()
                        }
                        _ => h.to_string(),
                    })
                    .unwrap_or_else(|| "127.0.0.1".into());
                let path = req
                    .uri()
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_string();
                let location = format!("http://{host}:{port}{path}");
                let mut r = plain(StatusCode::MOVED_PERMANENTLY, "");
                if let Ok(v) = hyper::header::HeaderValue::from_str(&location) {
                    r.headers_mut().insert(hyper::header::LOCATION, v);
                }
                Ok::<_, std::convert::Infallible>(r)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Threads serving each HTTP listener, like nginx's `worker_processes
/// auto`: one per CPU (at most 8).
fn http_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}

/// Serves an HTTP listener on [`http_workers`] threads of their own, each a
/// single-threaded runtime accepting from the listener and driving its
/// connections to the end, as nginx's worker processes do: a request never
/// changes threads. Must be called inside the runner's runtime; the workers
/// stop (closing the listener and their connections) when that runtime
/// shuts down.
pub fn spawn_http(listener: TcpListener, routes: Arc<Vec<Route>>) {
    let Ok(listener) = listener.into_std() else {
        return;
    };
    let (keep, stop) = tokio::sync::watch::channel(());
    // Dropped with the runner's runtime, which ends every worker.
    tokio::spawn(async move {
        let _keep = keep;
        std::future::pending::<()>().await
    });
    for i in 0..http_workers() {
        let Ok(listener) = listener.try_clone() else {
            continue;
        };
        let routes = routes.clone();
        let mut stop = stop.clone();
        let _ = std::thread::Builder::new()
            .name(format!("wharf-lb-{i}"))
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    let Ok(listener) = TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = serve_http(listener, routes) => {}
                        _ = stop.changed() => {}
                    }
                });
            });
    }
}

/// Serves one HTTP listener until the runtime stops: each client connection
/// is served by [`proxy::serve`].
async fn serve_http(listener: TcpListener, routes: Arc<Vec<Route>>) {
    let local = listener.local_addr().ok();
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(proxy::serve(stream, routes.clone(), peer, local));
    }
}

/// Serves one TCP listener (NLB, and service discovery addresses).
pub async fn serve_tcp(listener: TcpListener, group: Arc<TargetGroup>) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        let _ = inbound.set_nodelay(true);
        let group = group.clone();
        tokio::spawn(async move {
            let mut tried = Vec::new();
            while let Some(target) = group.pick(&tried) {
                tried.push(target.addr);
                let connect = tokio::net::TcpStream::connect(target.addr);
                if let Ok(Ok(mut outbound)) =
                    tokio::time::timeout(Duration::from_secs(2), connect).await
                {
                    let _ = outbound.set_nodelay(true);
                    let _guard = InFlight::new(target);
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    return;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alb_wildcards() {
        assert!(glob("/api/*", "/api/orders/1"));
        assert!(glob("/api/*", "/api/"));
        assert!(!glob("/api/*", "/apix"));
        assert!(glob("*.example.com", "shop.example.com"));
        assert!(glob("/v?/x", "/v1/x"));
        assert!(!glob("/v?/x", "/v10/x"));
        assert!(glob("*", ""));
        assert!(glob("/é?/*", "/éx/ü"));
        assert!(!glob("/é?/*", "/éxy"));
    }

    #[test]
    fn host_rules_ignore_case() {
        assert!(glob_with("*.Example.com", "SHOP.example.COM", true));
        assert!(!glob_with("straße.de", "STRASSE.de", true));
        assert!(glob_with("ÉTÉ.fr", "été.fr", true));
    }
}
