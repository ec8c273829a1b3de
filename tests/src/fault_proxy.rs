//! A fault-injecting proxy on loopback between the devices and the real
//! server. It reads each HTTP/1.1 request whole and then, by a seeded random
//! draw (or a fault scripted for the next matching request), passes it
//! through, closes the connection before forwarding it, holds it for a
//! moment, lets the server answer and hands the device only part of the
//! answer before a reset or a plain close (the server committed, the device
//! never hears), or delivers it to the server twice. It counts what it did,
//! so that a test can show each fault struck: one where they never fire
//! proves nothing.
//!
//! It can also lie: a hook set with [`FaultProxy::lie`] rewrites the body
//! of every answer whose request matches, the way a malicious server would
//! (`tests/tests/lying_server.rs`).
//!
//! Each forwarded copy of a request travels on a fresh connection to the
//! server, so the server's keep-alive never decides whether a request is
//! delivered once or twice; the proxy alone decides.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How often each fault strikes, in percent of requests; the rest pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// The connection closes before the request reaches the server.
    pub drop: u32,
    /// The request is held 5 to 150 ms before it is forwarded.
    pub delay: u32,
    /// The server answers; the device gets part of the answer, then a reset.
    pub reset: u32,
    /// The server answers; the device gets part of the answer, then the end
    /// of the stream.
    pub truncate: u32,
    /// The server receives the request twice, the second copy once the
    /// first was answered; the device gets the second answer.
    pub duplicate: u32,
}

impl Faults {
    /// Every request passes through.
    pub const NONE: Faults = Faults::each(0);

    /// Each fault at `percent` of requests.
    pub const fn each(percent: u32) -> Faults {
        Faults {
            drop: percent,
            delay: percent,
            reset: percent,
            truncate: percent,
            duplicate: percent,
        }
    }
}

/// One kind of fault, to script for a chosen request ([`FaultProxy::strike`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Drop,
    Delay,
    Reset,
    Truncate,
    Duplicate,
}

/// What the proxy did since it started, request by request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub requests: u64,
    pub passed: u64,
    pub dropped: u64,
    pub delayed: u64,
    pub reset: u64,
    pub truncated: u64,
    pub duplicated: u64,
    /// Answers rewritten by a lie ([`FaultProxy::lie`]).
    pub lied: u64,
}

impl FaultCounts {
    /// True when every kind of fault struck at least once.
    pub fn every_kind_struck(&self) -> bool {
        [
            self.dropped,
            self.delayed,
            self.reset,
            self.truncated,
            self.duplicated,
        ]
        .iter()
        .all(|n| *n > 0)
    }
}

/// The proxy: listens on `url` while it lives.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:<port>`, to give the devices instead of the server's.
    pub url: String,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `server_url`
    /// (`http://127.0.0.1:<port>`), passing everything through until
    /// [`FaultProxy::set_faults`]. `seed` fixes the draws: requests made in
    /// the same order meet the same faults.
    pub async fn start(server_url: &str, seed: u64) -> FaultProxy {
        let upstream = server_url
            .strip_prefix("http://")
            .expect("the proxy speaks plain HTTP to a loopback server")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State {
                faults: Faults::NONE,
                scripted: VecDeque::new(),
                rng: SplitMix64(seed),
                counts: FaultCounts::default(),
                answers: Vec::new(),
                lies: Vec::new(),
            }),
        });
        let accept = tokio::spawn(accept(listener, Arc::clone(&shared)));
        FaultProxy {
            url,
            shared,
            accept,
        }
    }

    /// Every answer the server sent through the proxy so far, heads and
    /// bodies (a duplicated request's both answers), for a test to search.
    pub fn answers(&self) -> Vec<u8> {
        self.shared.state.lock().unwrap().answers.clone()
    }

    /// The fault rates from the next request on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.state.lock().unwrap().faults = faults;
    }

    /// Scripts `kind` for the next request whose method is `method` and
    /// whose path starts with `path` (before any random draw). Scripted
    /// faults strike in the order given.
    pub fn strike(&self, method: &str, path: &str, kind: FaultKind) {
        self.shared.state.lock().unwrap().scripted.push_back((
            method.to_owned(),
            path.to_owned(),
            kind,
        ));
    }

    pub fn counts(&self) -> FaultCounts {
        self.shared.state.lock().unwrap().counts
    }

    /// From the next request on, the body of every answer with status 200
    /// to a request whose method is `method` and whose path starts with
    /// `path` is replaced with what `hook` makes of it (given the request's
    /// body and the answer's). Answers must be framed by Content-Length.
    pub fn lie(
        &self,
        method: &str,
        path: &str,
        hook: impl Fn(&[u8], Vec<u8>) -> Vec<u8> + Send + Sync + 'static,
    ) {
        self.shared.state.lock().unwrap().lies.push(Lie {
            method: method.to_owned(),
            path: path.to_owned(),
            hook: Arc::new(hook),
        });
    }

    /// Stops every lie set with [`FaultProxy::lie`].
    pub fn tell_the_truth(&self) {
        self.shared.state.lock().unwrap().lies.clear();
    }

    /// How many answers a lie rewrote.
    pub fn lies_told(&self) -> u64 {
        self.shared.state.lock().unwrap().counts.lied
    }
}

type Hook = Arc<dyn Fn(&[u8], Vec<u8>) -> Vec<u8> + Send + Sync>;

struct Lie {
    method: String,
    path: String,
    hook: Hook,
}

impl std::fmt::Debug for Lie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lie({} {})", self.method, self.path)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The connections' tasks live in the accept task's set: they end too.
        self.accept.abort();
    }
}

#[derive(Debug)]
struct Shared {
    /// `127.0.0.1:<port>` of the server.
    upstream: String,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    faults: Faults,
    scripted: VecDeque<(String, String, FaultKind)>,
    rng: SplitMix64,
    counts: FaultCounts,
    /// Every answer the server gave through the proxy, head and body, in
    /// order (what a network observer or a device sees).
    answers: Vec<u8>,
    lies: Vec<Lie>,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    Drop,
    Delay(Duration),
    Reset,
    Truncate,
    Duplicate,
}

impl Shared {
    fn choose(&self, request: &Message) -> Fault {
        let mut state = self.state.lock().unwrap();
        state.counts.requests += 1;
        let (method, path) = request.method_and_path();
        let scripted = state
            .scripted
            .iter()
            .position(|(m, p, _)| m.eq_ignore_ascii_case(method) && path.starts_with(p.as_str()));
        if let Some((_, _, kind)) = scripted.and_then(|i| state.scripted.remove(i)) {
            return state.fault(kind);
        }
        let f = state.faults;
        let roll = state.rng.below(100) as u32;
        let mut edge = 0;
        let kind = [
            (f.drop, FaultKind::Drop),
            (f.delay, FaultKind::Delay),
            (f.reset, FaultKind::Reset),
            (f.truncate, FaultKind::Truncate),
            (f.duplicate, FaultKind::Duplicate),
        ]
        .into_iter()
        .find(|(rate, _)| {
            edge += rate;
            roll < edge
        })
        .map(|(_, kind)| kind);
        kind.map_or(Fault::Pass, |kind| state.fault(kind))
    }

    /// The answer, rewritten by the first lie that matches the request.
    fn maybe_lie(&self, request: &Message, answer: Message) -> Message {
        let (method, path) = request.method_and_path();
        let hook = {
            let state = self.state.lock().unwrap();
            state
                .lies
                .iter()
                .find(|l| l.method.eq_ignore_ascii_case(method) && path.starts_with(&l.path))
                .map(|l| Arc::clone(&l.hook))
        };
        let ok = answer.start_line().split(' ').nth(1) == Some("200");
        let Some(hook) = hook.filter(|_| ok && answer.header("content-length").is_some()) else {
            return answer;
        };
        let body = hook(&request.body, answer.body);
        let head = String::from_utf8_lossy(&answer.head);
        let mut lines: Vec<String> = head
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .filter(|l| {
                !l.split_once(':')
                    .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            })
            .map(str::to_owned)
            .collect();
        lines.push(format!("content-length: {}", body.len()));
        self.count(|c| c.lied += 1);
        Message {
            head: format!("{}\r\n\r\n", lines.join("\r\n")).into_bytes(),
            body,
            close: answer.close,
        }
    }

    fn count(&self, what: impl FnOnce(&mut FaultCounts)) {
        what(&mut self.state.lock().unwrap().counts);
    }
}

impl State {
    /// The fault of a kind, with its details drawn.
    fn fault(&mut self, kind: FaultKind) -> Fault {
        match kind {
            FaultKind::Drop => Fault::Drop,
            FaultKind::Delay => Fault::Delay(Duration::from_millis(5 + self.rng.below(146))),
            FaultKind::Reset => Fault::Reset,
            FaultKind::Truncate => Fault::Truncate,
            FaultKind::Duplicate => Fault::Duplicate,
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood): a few lines, good enough to choose faults.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, Arc::clone(&shared)));
                }
                // Out of descriptors, say: let the connections finish.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One device connection: request after request until it or a fault ends it.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut device = Peer::new(stream);
    while let Ok(Some(request)) = read_request(&mut device).await {
        match relay(&mut device, &request, &shared).await {
            Ok(true) => {}
            // Closed by a fault, by either side, or the server is gone
            // (the device sees the connection end, as on a real network).
            Ok(false) | Err(_) => return,
        }
    }
}

/// Handles one request; true when the device's connection stays open.
async fn relay(device: &mut Peer, request: &Message, shared: &Shared) -> io::Result<bool> {
    let fault = shared.choose(request);
    let answer = match fault {
        Fault::Drop => {
            shared.count(|c| c.dropped += 1);
            return Ok(false);
        }
        Fault::Delay(pause) => {
            tokio::time::sleep(pause).await;
            forward(shared, request).await?
        }
        // One copy after the other, so that a seed replays a run: the
        // second always meets what the first did.
        Fault::Duplicate => {
            forward(shared, request).await?;
            forward(shared, request).await?
        }
        Fault::Pass | Fault::Reset | Fault::Truncate => forward(shared, request).await?,
    };
    let answer = shared.maybe_lie(request, answer);
    let bytes = answer.bytes();
    if let Fault::Reset | Fault::Truncate = fault {
        // Mid-body when there is a body, else mid-head: never a whole answer.
        let cut = if answer.body.is_empty() {
            answer.head.len() / 2
        } else {
            answer.head.len() + answer.body.len() / 2
        };
        device.stream.write_all(&bytes[..cut]).await?;
        device.stream.flush().await?;
        if let Fault::Reset = fault {
            // SO_LINGER 0: closing sends RST instead of FIN.
            device.stream.set_zero_linger()?;
            shared.count(|c| c.reset += 1);
        } else {
            device.stream.shutdown().await?;
            shared.count(|c| c.truncated += 1);
        }
        return Ok(false);
    }
    device.stream.write_all(&bytes).await?;
    shared.count(|c| match fault {
        Fault::Delay(_) => c.delayed += 1,
        Fault::Duplicate => c.duplicated += 1,
        _ => c.passed += 1,
    });
    Ok(!answer.close && !request.close)
}

/// Delivers one copy of the request on a fresh connection; the whole answer.
async fn forward(shared: &Shared, request: &Message) -> io::Result<Message> {
    let stream = TcpStream::connect(&shared.upstream).await?;
    stream.set_nodelay(true)?;
    let mut server = Peer::new(stream);
    server.stream.write_all(&request.bytes()).await?;
    let is_head = request.method_and_path().0.eq_ignore_ascii_case("HEAD");
    let answer = read_response(&mut server, is_head).await?;
    shared
        .state
        .lock()
        .unwrap()
        .answers
        .extend_from_slice(&answer.bytes());
    Ok(answer)
}

/// One HTTP/1.1 message as it went over the wire.
#[derive(Debug)]
struct Message {
    /// Start line and headers, through the blank line.
    head: Vec<u8>,
    /// The body exactly as framed (chunks and all).
    body: Vec<u8>,
    /// The connection ends after this message.
    close: bool,
}

impl Message {
    fn bytes(&self) -> Vec<u8> {
        [self.head.as_slice(), self.body.as_slice()].concat()
    }

    fn start_line(&self) -> &str {
        let end = find(&self.head, b"\r\n").unwrap_or(self.head.len());
        std::str::from_utf8(&self.head[..end]).unwrap_or("")
    }

    fn method_and_path(&self) -> (&str, &str) {
        let mut words = self.start_line().split(' ');
        (words.next().unwrap_or(""), words.next().unwrap_or(""))
    }

    fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.head);
        text.split("\r\n").skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_ascii_lowercase())
        })
    }
}

/// How a body ends.
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    UntilClose,
}

/// `None` when the device closed the connection between requests.
async fn read_request(device: &mut Peer) -> io::Result<Option<Message>> {
    let Some(head) = device.head().await? else {
        return Ok(None);
    };
    let mut message = Message {
        head,
        body: Vec::new(),
        close: false,
    };
    message.close = message
        .header("connection")
        .is_some_and(|c| c.contains("close"));
    let framing = framing(&message)?.unwrap_or(Framing::Empty);
    message.body = device.body(framing).await?;
    Ok(Some(message))
}

async fn read_response(server: &mut Peer, to_head: bool) -> io::Result<Message> {
    let head = server.head().await?.ok_or_else(|| eof("no answer"))?;
    let mut message = Message {
        head,
        body: Vec::new(),
        close: false,
    };
    let status: u16 = message
        .start_line()
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("a malformed status line"))?;
    if status < 200 {
        return Err(invalid("interim answers are not relayed"));
    }
    message.close = message
        .header("connection")
        .is_some_and(|c| c.contains("close"));
    let framing = if to_head || status == 204 || status == 304 {
        Framing::Empty
    } else {
        framing(&message)?.unwrap_or(Framing::UntilClose)
    };
    if let Framing::UntilClose = framing {
        message.close = true;
    }
    message.body = server.body(framing).await?;
    Ok(message)
}

/// The framing the headers declare, if they declare one.
fn framing(message: &Message) -> io::Result<Option<Framing>> {
    if message
        .header("transfer-encoding")
        .is_some_and(|te| te.contains("chunked"))
    {
        return Ok(Some(Framing::Chunked));
    }
    match message.header("content-length") {
        Some(length) => length
            .parse()
            .map(|n| Some(Framing::Length(n)))
            .map_err(|_| invalid("a malformed content-length")),
        None => Ok(None),
    }
}

/// Longest head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// One side of a relayed exchange, with what was read ahead of a message.
#[derive(Debug)]
struct Peer {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Peer {
    fn new(stream: TcpStream) -> Peer {
        Peer {
            stream,
            buf: Vec::new(),
        }
    }

    /// Reads more; false at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The next head; `None` at a clean end between messages.
    async fn head(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(at) = find(&self.buf, b"\r\n\r\n") {
                return Ok(Some(self.buf.drain(..at + 4).collect()));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(invalid("a head longer than 64 KiB"));
            }
            if !self.fill().await? {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(eof("the stream ended inside a head"))
                };
            }
        }
    }

    async fn exactly(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(eof("the stream ended inside a body"));
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Through the next CRLF.
    async fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(at) = find(&self.buf, b"\r\n") {
                return Ok(self.buf.drain(..at + 2).collect());
            }
            if self.buf.len() > MAX_HEAD {
                return Err(invalid("a chunk line longer than 64 KiB"));
            }
            if !self.fill().await? {
                return Err(eof("the stream ended inside a chunk line"));
            }
        }
    }

    async fn body(&mut self, framing: Framing) -> io::Result<Vec<u8>> {
        match framing {
            Framing::Empty => Ok(Vec::new()),
            Framing::Length(n) => self.exactly(n).await,
            Framing::UntilClose => {
                while self.fill().await? {}
                Ok(std::mem::take(&mut self.buf))
            }
            Framing::Chunked => {
                let mut raw = Vec::new();
                loop {
                    let line = self.line().await?;
                    let size = std::str::from_utf8(&line)
                        .ok()
                        .and_then(|l| l.trim().split(';').next())
                        .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                        .ok_or_else(|| invalid("a malformed chunk size"))?;
                    raw.extend_from_slice(&line);
                    if size == 0 {
                        // Trailers, through the blank line.
                        loop {
                            let trailer = self.line().await?;
                            raw.extend_from_slice(&trailer);
                            if trailer == b"\r\n" {
                                return Ok(raw);
                            }
                        }
                    }
                    raw.extend(self.exactly(size + 2).await?);
                }
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

fn eof(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, what.to_owned())
}
