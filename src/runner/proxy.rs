//! The ALB's HTTP/1.1 proxy loop: one task per client connection that reads
//! each request, routes it, forwards it on a keep-alive connection of its own
//! to the picked target, and streams the response back. Stage: runner.
//! Input: a client connection and the listener's routes. Output: proxied
//! exchanges. Invariants: both sides keep HTTP/1.1 keep-alive; hop-by-hop
//! headers (and those a `Connection` header names) are not forwarded; the
//! body of a request is re-framed (`Content-Length`, or `chunked` passed
//! through), a response's is passed as framed; a request whose target cannot
//! be reached, or whose kept-alive connection turns out closed, is retried on
//! a fresh connection or another healthy target (any failure, for idempotent
//! methods with a body of at most [`MAX_BUFFERED_BODY`]); memory per
//! connection is bounded ([`MAX_HEAD`], [`MAX_BUFFERED_BODY`], 64 KiB copy
//! buffers). An upgrade (WebSocket) handshake goes to a target on a
//! connection of its own and, on `101`, the two connections are joined.
//!
//! Both connections are driven by the one task, as nginx's workers do, so a
//! request costs no hand-over between tasks or threads.

use super::lb::Route;
use super::targets::InFlight;
use bytes::{Buf, BytesMut};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest request or response head (request line and headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest request body kept in memory so that the request can be retried
/// on another target; a larger or chunked body is streamed to the target.
pub const MAX_BUFFERED_BODY: usize = 1024 * 1024;
const MAX_HEADERS: usize = 128;
const FLUSH_AT: usize = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// An ALB's default idle timeout: how long a client connection may take to
/// send the next request head.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers that belong to one connection, never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// A connection with its read buffer.
struct Io {
    stream: TcpStream,
    buf: BytesMut,
}

enum HeadError {
    /// The peer closed before sending anything.
    Closed,
    /// The peer closed or failed inside a head.
    Broken,
    TooLarge,
}

impl Io {
    fn new(stream: TcpStream) -> Io {
        Io {
            stream,
            buf: BytesMut::with_capacity(16 * 1024),
        }
    }

    /// Reads more bytes; 0 at end of stream.
    async fn fill(&mut self) -> std::io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(16 * 1024);
        }
        self.stream.read_buf(&mut self.buf).await
    }

    /// Reads until the buffer holds a whole head; its length.
    async fn read_head(&mut self) -> Result<usize, HeadError> {
        let mut searched = 0;
        loop {
            if let Some(i) = find(&self.buf[searched..], b"\r\n\r\n") {
                return Ok(searched + i + 4);
            }
            searched = self.buf.len().saturating_sub(3);
            if self.buf.len() > MAX_HEAD {
                return Err(HeadError::TooLarge);
            }
            match self.fill().await {
                Ok(0) | Err(_) if self.buf.is_empty() => return Err(HeadError::Closed),
                Ok(0) | Err(_) => return Err(HeadError::Broken),
                Ok(_) => {}
            }
        }
    }

    /// Reads until the buffer holds a CRLF-ended line of at most 4 KiB; its
    /// length with the CRLF.
    async fn read_line(&mut self) -> Result<usize, Failed> {
        let mut searched = 0;
        loop {
            if let Some(i) = find(&self.buf[searched..], b"\r\n") {
                return Ok(searched + i + 2);
            }
            searched = self.buf.len().saturating_sub(1);
            if self.buf.len() > 4096 {
                return Err(Failed::Source);
            }
            if !matches!(self.fill().await, Ok(n) if n > 0) {
                return Err(Failed::Source);
            }
        }
    }

    /// Whether a kept-alive connection is still open and quiet: a target
    /// that closed it, or sent something unasked, cannot take a request.
    fn reusable(&self) -> bool {
        let mut probe = [0u8; 1];
        self.buf.is_empty()
            && matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Which side of a copy failed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Failed {
    Source,
    Sink,
}

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Until the sender closes (responses only).
    Close,
}

/// Whether a comma-separated header value lists `token`.
fn has_token(value: &[u8], token: &str) -> bool {
    value
        .split(|b| *b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether `name` must not be forwarded: hop-by-hop, or named by a
/// `Connection` header.
fn hop(name: &str, connection: &[&[u8]]) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
        || connection.iter().any(|v| {
            v.split(|b| *b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
        })
}

/// The framing of a message from its headers (RFC 9112 6.3); `Err` for a
/// message that cannot be delimited.
fn framing(headers: &[httparse::Header<'_>]) -> Result<Framing, ()> {
    let mut length: Option<u64> = None;
    let mut chunked = None;
    for h in headers {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = h.value.rsplit(|b| *b == b',').next().unwrap_or(b"");
            chunked = Some(last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if h.name.eq_ignore_ascii_case("content-length") {
            for part in h.value.split(|b| *b == b',') {
                let text = std::str::from_utf8(part.trim_ascii()).map_err(|_| ())?;
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(());
                }
                let n: u64 = text.parse().map_err(|_| ())?;
                if length.is_some_and(|l| l != n) {
                    return Err(());
                }
                length = Some(n);
            }
        }
    }
    match (chunked, length) {
        (Some(true), _) => Ok(Framing::Chunked),
        (Some(false), _) => Ok(Framing::Close),
        (None, Some(n)) => Ok(Framing::Length(n)),
        (None, None) => Ok(Framing::None),
    }
}

/// Copies a body of `framing` from `src` to `dst`, through `out` (which may
/// already hold a head to send first). `dechunk` strips chunked framing (for
/// an HTTP/1.0 client). Returns whether `src` may carry another message.
async fn copy_body(
    src: &mut Io,
    dst: &mut TcpStream,
    out: &mut Vec<u8>,
    framing: Framing,
    dechunk: bool,
) -> Result<bool, Failed> {
    match framing {
        Framing::None => {}
        Framing::Length(n) => copy_exact(src, dst, out, n).await?,
        Framing::Chunked => loop {
            let line = src.read_line().await?;
            let size_text = src.buf[..line - 2]
                .split(|b| *b == b';')
                .next()
                .unwrap_or(b"")
                .trim_ascii();
            let size = std::str::from_utf8(size_text)
                .ok()
                .filter(|t| !t.is_empty() && t.len() <= 15)
                .and_then(|t| u64::from_str_radix(t, 16).ok())
                .ok_or(Failed::Source)?;
            if !dechunk {
                out.extend_from_slice(&src.buf[..line]);
            }
            src.buf.advance(line);
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let line = src.read_line().await?;
                    if !dechunk {
                        out.extend_from_slice(&src.buf[..line]);
                    }
                    src.buf.advance(line);
                    if line == 2 {
                        break;
                    }
                }
                break;
            }
            copy_exact(src, dst, out, size).await?;
            let line = src.read_line().await?;
            if line != 2 {
                return Err(Failed::Source);
            }
            if !dechunk {
                out.extend_from_slice(b"\r\n");
            }
            src.buf.advance(line);
        },
        Framing::Close => {
            loop {
                out.extend_from_slice(&src.buf);
                src.buf.clear();
                flush(dst, out, FLUSH_AT).await?;
                match src.fill().await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            flush(dst, out, 0).await?;
            return Ok(false);
        }
    }
    flush(dst, out, 0).await?;
    Ok(true)
}

/// Copies exactly `n` bytes from `src` (its buffer first) to `dst`.
async fn copy_exact(
    src: &mut Io,
    dst: &mut TcpStream,
    out: &mut Vec<u8>,
    mut n: u64,
) -> Result<(), Failed> {
    loop {
        let take = (src.buf.len() as u64).min(n) as usize;
        out.extend_from_slice(&src.buf[..take]);
        src.buf.advance(take);
        n -= take as u64;
        if n == 0 {
            return Ok(());
        }
        flush(dst, out, FLUSH_AT).await?;
        if !matches!(src.fill().await, Ok(k) if k > 0) {
            return Err(Failed::Source);
        }
    }
}

/// Writes `out` to `dst` once it holds at least `at` bytes.
async fn flush(dst: &mut TcpStream, out: &mut Vec<u8>, at: usize) -> Result<(), Failed> {
    if !out.is_empty() && out.len() >= at {
        dst.write_all(out).await.map_err(|_| Failed::Sink)?;
        out.clear();
    }
    Ok(())
}

/// Writes a short plain-text answer of the load balancer itself.
async fn answer(client: &mut TcpStream, status: u16, reason: &str, text: &str, close: bool) {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n{}\r\n{text}",
        text.len(),
        if close { "connection: close\r\n" } else { "" }
    );
    let _ = client.write_all(head.as_bytes()).await;
}

/// Ends a client connection after an error answer as nginx's lingering
/// close does: the write side is shut and what the client still sends is
/// read and dropped (at most 1 MiB, for at most 2 s), so that closing with
/// unread bytes does not reset the connection before the client has read
/// the answer.
async fn linger(client: &mut Io) {
    let _ = client.stream.shutdown().await;
    let drain = async {
        let mut left = 1024 * 1024usize;
        loop {
            client.buf.clear();
            match client.fill().await {
                Ok(n) if n > 0 && n < left => left -= n,
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}

/// The `X-Forwarded-*` values of one client connection, made once.
struct Forwarded {
    /// The client's address, for `X-Forwarded-For`.
    ip: String,
    /// `X-Forwarded-Proto` and `X-Forwarded-Port` lines.
    tail: String,
}

/// What a client's request needs after its head was read.
struct Request {
    /// The head to send to a target, without its framing header and end.
    head: Vec<u8>,
    framing: Framing,
    idempotent: bool,
    upgrade: bool,
    /// The client speaks HTTP/1.0.
    http10: bool,
    /// The client wants the connection closed after this exchange.
    close: bool,
    /// HEAD: the response has no body whatever its headers say.
    head_only: bool,
    expect_continue: bool,
}

enum Parse {
    Ok(Request, Option<usize>),
    Bad(u16, &'static str),
}

/// Parses the request head in `buf[..len]`, routes it and builds the head to
/// forward; the index of the matching route.
fn parse_request(buf: &[u8], routes: &[Route], forwarded: &Forwarded) -> Parse {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Parse::Bad(431, "Request Header Fields Too Large")
        }
        _ => return Parse::Bad(400, "Bad Request"),
    }
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return Parse::Bad(400, "Bad Request");
    };
    let Ok(framing) = framing(req.headers) else {
        return Parse::Bad(400, "Bad Request");
    };
    if framing == Framing::Close {
        // A request body must be delimited (RFC 9112 6.3).
        return Parse::Bad(400, "Bad Request");
    }
    let connection: Vec<&[u8]> = req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .map(|h| h.value)
        .collect();
    let upgrade = connection.iter().any(|v| has_token(v, "upgrade"))
        && req
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("upgrade"));
    let http10 = version == 0;
    let close = if http10 {
        !connection.iter().any(|v| has_token(v, "keep-alive"))
    } else {
        connection.iter().any(|v| has_token(v, "close"))
    };
    // Absolute form (`GET http://host/path`) is forwarded in origin form.
    let (authority, origin) = match target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        Some(rest) => match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => (Some(&rest[..i]), &rest[i..]),
            Some(i) => (Some(&rest[..i]), &rest[i..]),
            None => (Some(rest), "/"),
        },
        None => (None, target),
    };
    let host_header = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .and_then(|h| std::str::from_utf8(h.value).ok());
    let host = host_header.or(authority).unwrap_or("");
    let path = origin.split('?').next().unwrap_or(origin);
    let Some(route) = routes.iter().position(|r| r.matches(host, path)) else {
        return Parse::Ok(
            Request {
                head: Vec::new(),
                framing,
                idempotent: false,
                upgrade: false,
                http10,
                close,
                head_only: false,
                expect_continue: false,
            },
            None,
        );
    };
    let mut head = Vec::with_capacity(buf.len() + 128);
    head.extend_from_slice(method.as_bytes());
    head.push(b' ');
    if origin.starts_with('?') {
        head.push(b'/');
    }
    head.extend_from_slice(origin.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    let mut forwarded_for: Option<&[u8]> = None;
    let mut expect_continue = false;
    for h in req.headers.iter() {
        let name = h.name;
        if hop(name, &connection)
            || name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("x-forwarded-proto")
            || name.eq_ignore_ascii_case("x-forwarded-port")
        {
            continue;
        }
        if name.eq_ignore_ascii_case("expect") {
            expect_continue |= h.value.eq_ignore_ascii_case(b"100-continue");
            continue;
        }
        if name.eq_ignore_ascii_case("x-forwarded-for") {
            forwarded_for = Some(h.value);
            continue;
        }
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(h.value);
        head.extend_from_slice(b"\r\n");
    }
    if host_header.is_none() {
        head.extend_from_slice(b"host: ");
        head.extend_from_slice(authority.unwrap_or("localhost").as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"x-forwarded-for: ");
    if let Some(before) = forwarded_for {
        head.extend_from_slice(before);
        head.extend_from_slice(b", ");
    }
    head.extend_from_slice(forwarded.ip.as_bytes());
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(forwarded.tail.as_bytes());
    if upgrade {
        head.extend_from_slice(b"connection: upgrade\r\n");
        for h in req.headers.iter() {
            if h.name.eq_ignore_ascii_case("upgrade") {
                head.extend_from_slice(b"upgrade: ");
                head.extend_from_slice(h.value);
                head.extend_from_slice(b"\r\n");
            }
        }
    }
    Parse::Ok(
        Request {
            head,
            framing,
            idempotent: matches!(
                method,
                "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
            ),
            upgrade,
            http10,
            close,
            head_only: method == "HEAD",
            expect_continue,
        },
        Some(route),
    )
}

/// A target's response head, rewritten for the client.
struct Response {
    status: u16,
    framing: Framing,
    /// The target will close its connection after this response.
    upstream_close: bool,
    /// The head for the client, without its end.
    head: Vec<u8>,
}

fn parse_response(buf: &[u8], req: &Request) -> Option<Response> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    if !matches!(resp.parse(buf), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let status = resp.code?;
    let reason = resp.reason.unwrap_or("");
    let connection: Vec<&[u8]> = resp
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .map(|h| h.value)
        .collect();
    let upstream_close =
        resp.version == Some(0) || connection.iter().any(|v| has_token(v, "close"));
    let bodiless = req.head_only || (100..200).contains(&status) || status == 204 || status == 304;
    let framing = if bodiless {
        Framing::None
    } else {
        match framing(resp.headers).ok()? {
            Framing::None => Framing::Close,
            f => f,
        }
    };
    let mut head = Vec::with_capacity(buf.len());
    head.extend_from_slice(format!("HTTP/1.1 {status} {reason}\r\n").as_bytes());
    for h in resp.headers.iter() {
        let keep_for_upgrade = status == 101
            && (h.name.eq_ignore_ascii_case("connection")
                || h.name.eq_ignore_ascii_case("upgrade"));
        if !keep_for_upgrade && hop(h.name, &connection) {
            continue;
        }
        head.extend_from_slice(h.name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(h.value);
        head.extend_from_slice(b"\r\n");
    }
    Some(Response {
        status,
        framing,
        upstream_close: upstream_close || framing == Framing::Close,
        head,
    })
}

/// Kept-alive target connections of one client connection, by target.
#[derive(Default)]
struct Upstreams(Vec<(SocketAddr, Io)>);

impl Upstreams {
    fn take(&mut self, addr: SocketAddr) -> Option<Io> {
        let i = self.0.iter().position(|(a, _)| *a == addr)?;
        Some(self.0.swap_remove(i).1)
    }

    fn put(&mut self, addr: SocketAddr, io: Io) {
        self.0.push((addr, io));
    }
}

async fn connect(addr: SocketAddr) -> Option<Io> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let _ = stream.set_nodelay(true);
    Some(Io::new(stream))
}

/// Serves one client connection until it closes.
pub async fn serve(
    stream: TcpStream,
    routes: std::sync::Arc<Vec<Route>>,
    peer: SocketAddr,
    local: Option<SocketAddr>,
) {
    let _ = stream.set_nodelay(true);
    let mut client = Io::new(stream);
    let mut upstreams = Upstreams::default();
    let mut out: Vec<u8> = Vec::with_capacity(16 * 1024);
    let forwarded = Forwarded {
        ip: peer.ip().to_string(),
        tail: match local {
            Some(l) => format!(
                "x-forwarded-proto: http\r\nx-forwarded-port: {}\r\n",
                l.port()
            ),
            None => "x-forwarded-proto: http\r\n".to_string(),
        },
    };
    loop {
        // ALB's idle timeout: a connection that sends nothing for 60 s is
        // closed (so idle or trickling clients cannot pile up).
        let Ok(head) = tokio::time::timeout(IDLE_TIMEOUT, client.read_head()).await else {
            return;
        };
        let len = match head {
            Ok(len) => len,
            Err(HeadError::TooLarge) => {
                answer(
                    &mut client.stream,
                    431,
                    "Request Header Fields Too Large",
                    "request head too large\n",
                    true,
                )
                .await;
                linger(&mut client).await;
                return;
            }
            Err(HeadError::Closed) => return,
            Err(HeadError::Broken) => {
                answer(
                    &mut client.stream,
                    400,
                    "Bad Request",
                    "incomplete request\n",
                    true,
                )
                .await;
                linger(&mut client).await;
                return;
            }
        };
        let parsed = parse_request(&client.buf[..len], &routes, &forwarded);
        client.buf.advance(len);
        let (req, route) = match parsed {
            Parse::Bad(status, reason) => {
                answer(
                    &mut client.stream,
                    status,
                    reason,
                    "malformed request\n",
                    true,
                )
                .await;
                linger(&mut client).await;
                return;
            }
            Parse::Ok(req, route) => (req, route),
        };
        let Some(route) = route.map(|i| &routes[i]) else {
            // A body too large to read is left unread: the connection closes.
            let close = !skip_body(&mut client, req.framing).await || req.close;
            answer(
                &mut client.stream,
                404,
                "Not Found",
                "no listener rule matches this request\n",
                close,
            )
            .await;
            if close {
                linger(&mut client).await;
                return;
            }
            continue;
        };
        if req.expect_continue
            && req.framing != Framing::None
            && !req.http10
            && client
                .stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .is_err()
        {
            return;
        }
        let keep = exchange(&mut client, &mut upstreams, &mut out, route, req).await;
        if !keep {
            return;
        }
    }
}

/// Reads and drops a request body the load balancer answers itself; whether
/// the connection can go on.
async fn skip_body(client: &mut Io, framing: Framing) -> bool {
    match framing {
        Framing::None => true,
        Framing::Length(n) => {
            n as usize <= MAX_BUFFERED_BODY && read_body(client, n).await.is_some()
        }
        Framing::Chunked => drain_chunked(client).await,
        Framing::Close => false,
    }
}

/// Reads a body of `n` bytes (at most [`MAX_BUFFERED_BODY`]) into memory.
async fn read_body(client: &mut Io, n: u64) -> Option<Vec<u8>> {
    let n = n as usize;
    let mut body = Vec::with_capacity(n);
    while body.len() < n {
        if client.buf.is_empty() && !matches!(client.fill().await, Ok(k) if k > 0) {
            return None;
        }
        let take = client.buf.len().min(n - body.len());
        body.extend_from_slice(&client.buf[..take]);
        client.buf.advance(take);
    }
    Some(body)
}

/// Reads a chunked body to its end without keeping it.
async fn drain_chunked(client: &mut Io) -> bool {
    loop {
        let Ok(line) = client.read_line().await else {
            return false;
        };
        let size = std::str::from_utf8(
            client.buf[..line - 2]
                .split(|b| *b == b';')
                .next()
                .unwrap_or(b"")
                .trim_ascii(),
        )
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 15)
        .and_then(|t| u64::from_str_radix(t, 16).ok());
        client.buf.advance(line);
        let Some(mut size) = size else { return false };
        if size == 0 {
            loop {
                let Ok(line) = client.read_line().await else {
                    return false;
                };
                client.buf.advance(line);
                if line == 2 {
                    return true;
                }
            }
        }
        while size > 0 {
            if client.buf.is_empty() && !matches!(client.fill().await, Ok(k) if k > 0) {
                return false;
            }
            let take = (client.buf.len() as u64).min(size) as usize;
            client.buf.advance(take);
            size -= take as u64;
        }
        match client.read_line().await {
            Ok(2) => client.buf.advance(2),
            _ => return false,
        }
    }
}

/// What to do after forwarding to one target failed.
enum Next {
    /// Try the same target again on a fresh connection.
    Again,
    /// Try another healthy target.
    Other,
    /// Give up: `502` to the client.
    Fail,
    /// The target sent nothing for the idle timeout: `504`, as an ALB.
    TimedOut,
}

/// Forwards one request to a healthy target of `route` and its response to
/// the client; whether the client connection can carry another request.
async fn exchange(
    client: &mut Io,
    upstreams: &mut Upstreams,
    out: &mut Vec<u8>,
    route: &Route,
    req: Request,
) -> bool {
    let body = match req.framing {
        Framing::None => Some(Vec::new()),
        Framing::Length(n) if n as usize <= MAX_BUFFERED_BODY => match read_body(client, n).await {
            Some(b) => Some(b),
            None => return false,
        },
        _ => None,
    };
    let streamed = body.is_none();
    let mut tried: Vec<SocketAddr> = Vec::new();
    let mut fresh_retries = 0;
    loop {
        let Some(target) = route.group.pick(&tried) else {
            let close = req.close || streamed;
            if tried.is_empty() {
                answer(
                    &mut client.stream,
                    503,
                    "Service Unavailable",
                    "no healthy target\n",
                    close,
                )
                .await;
            } else {
                answer(
                    &mut client.stream,
                    502,
                    "Bad Gateway",
                    "every healthy target failed\n",
                    close,
                )
                .await;
            }
            if close {
                linger(client).await;
            }
            return !close;
        };
        let guard = InFlight::new(target.clone());
        let cached = if req.upgrade {
            None
        } else {
            upstreams.take(target.addr)
        };
        // A kept-alive connection the target has closed fails an idempotent
        // request before any answer, which is then retried on a fresh one;
        // any other request is only sent on a connection seen open.
        let (mut up, reused) = match cached {
            Some(io) if io.buf.is_empty() && (req.idempotent || io.reusable()) => (io, true),
            _ => match connect(target.addr).await {
                Some(io) => (io, false),
                None => {
                    tried.push(target.addr);
                    continue;
                }
            },
        };
        out.clear();
        out.extend_from_slice(&req.head);
        match req.framing {
            Framing::Length(n) => {
                out.extend_from_slice(format!("content-length: {n}\r\n").as_bytes())
            }
            Framing::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
            Framing::None | Framing::Close => {}
        }
        out.extend_from_slice(b"\r\n");
        let next = if let Some(body) = &body {
            out.extend_from_slice(body);
            let written = up.stream.write_all(out).await.is_ok();
            out.clear();
            if written {
                None
            } else if reused {
                // A kept-alive connection the target closed as we wrote.
                Some(Next::Again)
            } else if req.idempotent {
                Some(Next::Other)
            } else {
                Some(Next::Fail)
            }
        } else {
            match copy_body(client, &mut up.stream, out, req.framing, false).await {
                Ok(_) => None,
                Err(Failed::Source) => return false,
                Err(Failed::Sink) => Some(Next::Fail),
            }
        };
        // The response head, after any interim (1xx) responses.
        let resp = match next {
            Some(n) => Err(n),
            None => loop {
                let Ok(head) = tokio::time::timeout(IDLE_TIMEOUT, up.read_head()).await else {
                    break Err(Next::TimedOut);
                };
                let len = match head {
                    Ok(len) => len,
                    Err(_) if streamed => break Err(Next::Fail),
                    Err(_) if reused && fresh_retries < 2 && req.idempotent => {
                        break Err(Next::Again)
                    }
                    Err(_) if req.idempotent => break Err(Next::Other),
                    Err(_) => break Err(Next::Fail),
                };
                let Some(resp) = parse_response(&up.buf[..len], &req) else {
                    break Err(if req.idempotent && !streamed {
                        Next::Other
                    } else {
                        Next::Fail
                    });
                };
                up.buf.advance(len);
                if (100..200).contains(&resp.status) && resp.status != 101 {
                    if !req.http10 {
                        out.clear();
                        out.extend_from_slice(&resp.head);
                        out.extend_from_slice(b"\r\n");
                        if client.stream.write_all(out).await.is_err() {
                            return false;
                        }
                        out.clear();
                    }
                    continue;
                }
                break Ok(resp);
            },
        };
        let resp = match resp {
            Ok(r) => r,
            Err(Next::Again) if fresh_retries < 2 && !streamed => {
                fresh_retries += 1;
                continue;
            }
            Err(Next::Again | Next::Other) if !streamed => {
                tried.push(target.addr);
                continue;
            }
            Err(failure) => {
                let close = req.close || streamed;
                let (status, reason, text) = match failure {
                    Next::TimedOut => (
                        504,
                        "Gateway Timeout",
                        "target did not answer within the idle timeout\n",
                    ),
                    _ => (
                        502,
                        "Bad Gateway",
                        "target failed while handling the request\n",
                    ),
                };
                answer(&mut client.stream, status, reason, text, close).await;
                if close {
                    linger(client).await;
                }
                return !close;
            }
        };
        if resp.status == 101 {
            if !req.upgrade {
                answer(
                    &mut client.stream,
                    502,
                    "Bad Gateway",
                    "target switched protocols unasked\n",
                    true,
                )
                .await;
                return false;
            }
            out.clear();
            out.extend_from_slice(&resp.head);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&up.buf);
            up.buf.clear();
            if client.stream.write_all(out).await.is_err() {
                return false;
            }
            out.clear();
            if !client.buf.is_empty() {
                if up.stream.write_all(&client.buf).await.is_err() {
                    return false;
                }
                client.buf.clear();
            }
            let _ = tokio::io::copy_bidirectional(&mut client.stream, &mut up.stream).await;
            drop(guard);
            return false;
        }
        let dechunk = resp.framing == Framing::Chunked && req.http10;
        let client_close = req.close || resp.framing == Framing::Close || dechunk;
        out.clear();
        out.extend_from_slice(&resp.head);
        if resp.framing == Framing::Chunked && !dechunk {
            out.extend_from_slice(b"transfer-encoding: chunked\r\n");
        }
        if client_close {
            out.extend_from_slice(b"connection: close\r\n");
        } else if req.http10 {
            out.extend_from_slice(b"connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
        let more = match copy_body(&mut up, &mut client.stream, out, resp.framing, dechunk).await {
            Ok(more) => more,
            // The target failed mid-body, or the client left: the client
            // connection cannot be trusted to be in step any more.
            Err(_) => return false,
        };
        drop(guard);
        if more && !resp.upstream_close && !req.upgrade {
            upstreams.put(target.addr, up);
        }
        return !client_close;
    }
}
