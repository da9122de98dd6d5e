//! A switch in front of the test's PostgreSQL: a TCP relay on a port of its own that can be cut
//! (the port closes, so new connections are refused, and every relayed connection is dropped,
//! as when the server stops) and restored on the same port, without touching the real server
//! other tests share.
#![allow(dead_code)]

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

pub struct DbSwitch {
    addr: SocketAddr,
    upstream: SocketAddr,
    relay: Option<tokio::task::JoinHandle<()>>,
}

impl DbSwitch {
    /// A relay to the server `pool` talks to.
    pub async fn in_front_of(pool: &PgPool) -> DbSwitch {
        let opts = pool.connect_options();
        let upstream: SocketAddr = format!("{}:{}", opts.get_host(), opts.get_port())
            .parse()
            .expect("the test database on an IP address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().unwrap();
        let mut s = DbSwitch {
            addr,
            upstream,
            relay: None,
        };
        s.relay = Some(tokio::spawn(relay(listener, upstream)));
        s
    }

    /// Connect options for the same database, through the switch.
    pub fn options(&self, pool: &PgPool) -> PgConnectOptions {
        (*pool.connect_options()).clone().port(self.addr.port())
    }

    /// A pool through the switch, sized and timed like the server's.
    pub fn pool(&self, pool: &PgPool, acquire_timeout: Duration) -> PgPool {
        PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(self.options(pool))
    }

    /// The database "stops": its port refuses connections and open ones are dropped.
    pub async fn cut(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
            let _ = relay.await;
        }
    }

    /// The database "returns" on the same port.
    pub async fn restore(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if std::time::Instant::now() < deadline => {
                    eprintln!("rebinding {}: {e}", self.addr);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot rebind {}: {e}", self.addr),
            }
        };
        self.relay = Some(tokio::spawn(relay(listener, self.upstream)));
    }
}

impl Drop for DbSwitch {
    fn drop(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }
}

/// Accepts and relays until aborted; aborting drops the listener and every relayed connection.
async fn relay(listener: TcpListener, upstream: SocketAddr) {
    let mut conns = JoinSet::new();
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            continue;
        };
        conns.spawn(async move {
            if let Ok(mut server) = TcpStream::connect(upstream).await {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
        });
        while conns.try_join_next().is_some() {}
    }
}
