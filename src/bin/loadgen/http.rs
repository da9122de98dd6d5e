//! A small HTTP/1.1 client for 127.0.0.1 only: keep-alive connections shared by all virtual
//! candidates (at most `max_connections` open), requests sent the way the site's own pages send
//! them (session cookie, `Sec-Fetch-Site: same-origin` and `Origin` on posts, `Accept:
//! application/json` for the autosave) and asking for compressed replies as browsers do
//! (`Accept-Encoding: gzip, deflate, br, zstd`), so the server compresses every page as it would
//! for candidates; gzip replies are inflated. No HTML parsing.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

pub struct Client {
    addr: SocketAddr,
    host: String,
    idle: Mutex<Vec<BufReader<TcpStream>>>,
    slots: Semaphore,
    timeout: Duration,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub body: String,
}

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    Timeout,
    Connect,
    /// The connection broke or the reply was not HTTP.
    Io,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::Timeout => "no reply within the timeout",
            Failure::Connect => "cannot connect",
            Failure::Io => "connection broken",
        })
    }
}

pub enum Body<'a> {
    None,
    Form(&'a str),
}

impl Client {
    pub fn new(port: u16, max_connections: usize, timeout: Duration) -> Client {
        Client {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            host: format!("127.0.0.1:{port}"),
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(max_connections),
            timeout,
        }
    }

    /// One request. `cookie` is the whole Cookie header value (may be empty).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Body<'_>,
        json: bool,
    ) -> Result<Reply, Failure> {
        let _slot = self.slots.acquire().await.map_err(|_| Failure::Io)?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if !cookie.is_empty() {
            head.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        head.push_str(if json {
            "Accept: application/json\r\n"
        } else {
            "Accept: text/html\r\n"
        });
        head.push_str("Accept-Encoding: gzip, deflate, br, zstd\r\n");
        let payload = match body {
            Body::None => "",
            Body::Form(f) => f,
        };
        if method == "POST" {
            head.push_str(&format!(
                "Origin: http://{}\r\nSec-Fetch-Site: same-origin\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                self.host,
                payload.len()
            ));
        } else {
            head.push_str("Sec-Fetch-Site: same-origin\r\n");
        }
        head.push_str("\r\n");
        head.push_str(payload);
        let work = async {
            // A kept-alive connection the server closed meanwhile fails before any byte of the
            // reply: such a request is sent once more on a fresh connection.
            for reused in [true, false] {
                let conn = if reused {
                    self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
                } else {
                    None
                };
                let fresh = conn.is_none();
                let mut conn = match conn {
                    Some(c) => c,
                    None => BufReader::with_capacity(
                        16 * 1024,
                        TcpStream::connect(self.addr)
                            .await
                            .map_err(|_| Failure::Connect)?,
                    ),
                };
                match exchange(&mut conn, head.as_bytes()).await {
                    Ok((reply, keep)) => {
                        if keep {
                            self.idle
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(conn);
                        }
                        return Ok(reply);
                    }
                    Err(started) if !started && !fresh => continue,
                    Err(_) => return Err(Failure::Io),
                }
            }
            Err(Failure::Io)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or(Err(Failure::Timeout))
    }
}

/// Writes a request and reads its reply; on failure tells whether any reply byte had arrived.
async fn exchange(conn: &mut BufReader<TcpStream>, request: &[u8]) -> Result<(Reply, bool), bool> {
    conn.get_mut().write_all(request).await.map_err(|_| false)?;
    let mut line = String::new();
    let n = conn.read_line(&mut line).await.map_err(|_| false)?;
    if n == 0 {
        return Err(false);
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(true)?;
    let (mut length, mut chunked, mut keep) = (None, false, true);
    let (mut location, mut set_cookie, mut gzip) = (None, None, false);
    loop {
        line.clear();
        conn.read_line(&mut line).await.map_err(|_| true)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => keep = !value.eq_ignore_ascii_case("close"),
            "location" => location = Some(value.to_string()),
            "set-cookie" if set_cookie.is_none() => set_cookie = Some(value.to_string()),
            "content-encoding" => {
                // gzip is all this server sends; anything else is not a reply a browser of
                // this site could read.
                gzip = value.eq_ignore_ascii_case("gzip");
                if !gzip && !value.eq_ignore_ascii_case("identity") {
                    return Err(true);
                }
            }
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line).await.map_err(|_| true)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| true)?;
            if size == 0 {
                line.clear();
                conn.read_line(&mut line).await.map_err(|_| true)?;
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..])
                .await
                .map_err(|_| true)?;
            line.clear();
            conn.read_line(&mut line).await.map_err(|_| true)?;
        }
    } else if let Some(len) = length {
        body.resize(len, 0);
        conn.read_exact(&mut body).await.map_err(|_| true)?;
    } else if status >= 200 && status != 204 && status != 304 {
        conn.read_to_end(&mut body).await.map_err(|_| true)?;
        keep = false;
    }
    if gzip {
        use std::io::Read;
        let mut plain = Vec::with_capacity(body.len() * 6);
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .map_err(|_| true)?;
        body = plain;
    }
    Ok((
        Reply {
            status,
            location,
            set_cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        },
        keep,
    ))
}
