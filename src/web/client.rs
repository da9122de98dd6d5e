//! Who is on the other end of a request: the client address used by sign-in throttling and the
//! metrics endpoint.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The client's address: the socket peer, or the last `X-Forwarded-For` hop when the server is
/// configured to trust its proxy. `local` is true only for a loopback peer with no forwarding
/// headers (a reverse proxy on this machine also connects from loopback).
pub struct ClientAddr {
    pub ip: String,
    pub local: bool,
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // Tests that call the router directly have no connection info.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let headers = &parts.headers;
        let forwarded =
            headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
        let local = !forwarded && peer.is_none_or(|p| p.ip().is_loopback());
        let trusted_hop = state
            .config
            .trust_forwarded_for
            .then(|| {
                headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    // The last hop is the one our own proxy added; earlier ones come from the
                    // client.
                    .and_then(|v| v.rsplit(',').next())
                    .map(|ip| ip.trim().to_string())
            })
            .flatten();
        let ip = trusted_hop.unwrap_or_else(|| {
            peer.map(|p| p.ip().to_string())
                .unwrap_or_else(|| "unknown".into())
        });
        Ok(ClientAddr { ip, local })
    }
}
