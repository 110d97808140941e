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

use super::targets::{InFlight, TargetGroup};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// One routing entry of an HTTP listener.
pub struct Route {
    pub priority: u32,
    pub path_patterns: Vec<String>,
    pub host_headers: Vec<String>,
    pub group: Arc<TargetGroup>,
}

impl Route {
    fn matches(&self, host: &str, path: &str) -> bool {
        let host = host.split(':').next().unwrap_or(host);
        (self.path_patterns.is_empty() || self.path_patterns.iter().any(|p| glob(p, path)))
            && (self.host_headers.is_empty()
                || self
                    .host_headers
                    .iter()
                    .any(|h| glob(&h.to_ascii_lowercase(), &host.to_ascii_lowercase())))
    }
}

/// ALB wildcard match: `*` any run of characters, `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    p[pi..].iter().all(|c| *c == '*')
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

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

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

/// Upstream connections of one client connection, by target. Requests on an
/// HTTP/1.1 connection come one after another, so each connection keeps its
/// own keep-alive connection per target and no pool is shared between tasks.
type Upstreams = Arc<Mutex<HashMap<SocketAddr, SendRequest<Full<Bytes>>>>>;

/// Serves one HTTP listener until the runtime stops.
pub async fn serve_http(listener: TcpListener, routes: Arc<Vec<Route>>) {
    let local = listener.local_addr().ok();
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let routes = routes.clone();
        let upstreams: Upstreams = Arc::default();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let routes = routes.clone();
                let upstreams = upstreams.clone();
                async move {
                    Ok::<_, std::convert::Infallible>(
                        proxy(req, &routes, &upstreams, peer, local).await,
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

/// Whether a request asks to switch protocols (`Connection: upgrade` with
/// an `Upgrade` header), as a WebSocket handshake does.
fn wants_upgrade(headers: &hyper::HeaderMap) -> bool {
    headers.contains_key(hyper::header::UPGRADE)
        && headers
            .get_all(hyper::header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
}

/// Passes an upgrade (WebSocket) handshake to a healthy target on a
/// connection of its own; when the target answers `101 Switching
/// Protocols`, the client and target connections are joined byte for byte
/// until either side closes. A target that cannot be reached is skipped for
/// the next healthy one.
async fn proxy_upgrade(
    mut req: Request<Incoming>,
    route: &Route,
    peer: SocketAddr,
    local: Option<SocketAddr>,
) -> Response<ProxyBody> {
    let client_side = hyper::upgrade::on(&mut req);
    let (parts, _) = req.into_parts();
    let mut tried = Vec::new();
    loop {
        let Some(target) = route.group.pick(&tried) else {
            return if tried.is_empty() {
                plain(StatusCode::SERVICE_UNAVAILABLE, "no healthy target\n")
            } else {
                plain(StatusCode::BAD_GATEWAY, "every healthy target failed\n")
            };
        };
        let guard = InFlight::new(target.clone());
        let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(target.addr)).await
        else {
            tried.push(target.addr);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, conn)) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream)).await
        else {
            tried.push(target.addr);
            continue;
        };
        tokio::spawn(conn.with_upgrades());
        let mut builder = Request::builder()
            .method(parts.method.clone())
            .uri(parts.uri.path_and_query().map_or("/", |p| p.as_str()));
        for (name, value) in &parts.headers {
            builder = builder.header(name, value);
        }
        builder = builder
            .header("x-forwarded-for", peer.ip().to_string())
            .header("x-forwarded-proto", "http");
        if let Some(local) = local {
            builder = builder.header("x-forwarded-port", local.port().to_string());
        }
        let Ok(upstream) = builder.body(Full::new(Bytes::new())) else {
            return plain(StatusCode::BAD_REQUEST, "request could not be forwarded\n");
        };
        let mut resp = match sender.send_request(upstream).await {
            Ok(r) => r,
            Err(_) => {
                tried.push(target.addr);
                continue;
            }
        };
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
            let (parts, body) = resp.into_parts();
            let body = body.map_frame(move |f| {
                let _ = &guard;
                f
            });
            return Response::from_parts(parts, body.boxed());
        }
        let target_side = hyper::upgrade::on(&mut resp);
        tokio::spawn(async move {
            let _guard = guard;
            if let (Ok(client), Ok(target)) = (client_side.await, target_side.await) {
                let _ = tokio::io::copy_bidirectional(
                    &mut TokioIo::new(client),
                    &mut TokioIo::new(target),
                )
                .await;
            }
        });
        let (parts, _) = resp.into_parts();
        let body = Full::new(Bytes::new())
            .map_err(|never| match never {})
            .boxed();
        return Response::from_parts(parts, body);
    }
}

/// Why forwarding to one target failed.
enum Failure {
    /// No connection could be made: always safe to try another target.
    Connect,
    /// A reused keep-alive connection failed before answering: retry fresh.
    Stale,
    /// The request may have reached the target.
    Sent,
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, Failure> {
    let stream = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr))
        .await
        .map_err(|_| Failure::Connect)?
        .map_err(|_| Failure::Connect)?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Failure::Connect)?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn forward(
    upstreams: &Upstreams,
    addr: SocketAddr,
    req: Request<Full<Bytes>>,
) -> Result<Response<Incoming>, Failure> {
    let cached = upstreams
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&addr);
    let (mut sender, reused) = match cached {
        Some(s) if !s.is_closed() => (s, true),
        _ => (connect(addr).await?, false),
    };
    if sender.ready().await.is_err() {
        return Err(if reused {
            Failure::Stale
        } else {
            Failure::Connect
        });
    }
    match sender.send_request(req).await {
        Ok(resp) => {
            upstreams
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(addr, sender);
            Ok(resp)
        }
        Err(e) if reused && e.is_canceled() => Err(Failure::Stale),
        Err(_) => Err(Failure::Sent),
    }
}

async fn proxy(
    req: Request<Incoming>,
    routes: &[Route],
    upstreams: &Upstreams,
    peer: SocketAddr,
    local: Option<SocketAddr>,
) -> Response<ProxyBody> {
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or("")
        .to_string();
    let path = req.uri().path().to_string();
    let Some(route) = routes.iter().find(|r| r.matches(&host, &path)) else {
        return plain(
            StatusCode::NOT_FOUND,
            "no listener rule matches this request\n",
        );
    };
    if wants_upgrade(req.headers()) {
        return proxy_upgrade(req, route, peer, local).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return plain(StatusCode::BAD_REQUEST, "request body could not be read\n");
    };
    let idempotent = matches!(
        parts.method.as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
    );
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut tried = Vec::new();
    let mut stale_retries = 0;
    loop {
        let Some(target) = route.group.pick(&tried) else {
            return if tried.is_empty() {
                plain(StatusCode::SERVICE_UNAVAILABLE, "no healthy target\n")
            } else {
                plain(StatusCode::BAD_GATEWAY, "every healthy target failed\n")
            };
        };
        let guard = InFlight::new(target.clone());
        let mut builder = Request::builder()
            .method(parts.method.clone())
            .uri(path_and_query.as_str());
        for (name, value) in &parts.headers {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                builder = builder.header(name, value);
            }
        }
        if !parts.headers.contains_key(hyper::header::HOST) {
            builder = builder.header(hyper::header::HOST, target.addr.to_string());
        }
        builder = builder
            .header("x-forwarded-for", peer.ip().to_string())
            .header("x-forwarded-proto", "http");
        if let Some(local) = local {
            builder = builder.header("x-forwarded-port", local.port().to_string());
        }
        let Ok(upstream) = builder.body(Full::new(body.clone())) else {
            return plain(StatusCode::BAD_REQUEST, "request could not be forwarded\n");
        };
        match forward(upstreams, target.addr, upstream).await {
            Ok(resp) => {
                let (mut parts, body) = resp.into_parts();
                for h in HOP_BY_HOP {
                    parts.headers.remove(*h);
                }
                // The guard lives as long as the response body is being sent.
                let body = body.map_frame(move |f| {
                    let _ = &guard;
                    f
                });
                return Response::from_parts(parts, body.boxed());
            }
            Err(Failure::Stale) if stale_retries < 2 => stale_retries += 1,
            Err(Failure::Connect | Failure::Stale) => tried.push(target.addr),
            Err(Failure::Sent) if idempotent => tried.push(target.addr),
            Err(Failure::Sent) => {
                return plain(
                    StatusCode::BAD_GATEWAY,
                    "target failed while handling the request\n",
                )
            }
        }
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
    }
}
