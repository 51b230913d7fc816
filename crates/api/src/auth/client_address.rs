//! The address a request comes from, for the sign-in throttle. Behind a load balancer every request
//! arrives from the balancer's address, and ten failed sign-ins from anyone would lock everyone out, so
//! the address of a configured trusted proxy (`server.trusted_proxies`) is replaced by the client it
//! names in `X-Forwarded-For`: the rightmost entry not itself a trusted proxy. Entries further left are
//! the client's own claims and are never believed; with no trusted proxies the header is ignored.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address, when the server was started with connect info (it always is outside unit tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Ok(ClientAddress(peer.map(|peer| {
            client_of(peer, &forwarded, &state.http.trusted_proxies)
        })))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the rightmost
/// `X-Forwarded-For` entry (over every such header, in order) that is not a trusted proxy. A chain made
/// only of trusted proxies, or an entry that is not an address, stops at the last trusted hop.
fn client_of(peer: IpAddr, forwarded: &[&str], trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    let hops = forwarded
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim);
    for hop in hops.rev() {
        if !trusted.contains(&client) {
            break;
        }
        match parse_hop(hop) {
            Some(address) => client = address,
            None => break,
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, as some balancers write it with a port (`203.0.113.9:1234`,
/// `[2001:db8::1]:443`) or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        assert_eq!(
            client_of(ip("203.0.113.9"), &["198.51.100.1"], &[]),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_of(ip("203.0.113.9"), &["198.51.100.1"], &[ip("10.0.0.1")]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_spoofed_entries_are_ignored() {
        let balancer = [ip("10.0.0.1")];
        assert_eq!(
            client_of(ip("10.0.0.1"), &["203.0.113.9"], &balancer),
            ip("203.0.113.9")
        );
        // The client wrote "1.2.3.4" itself; the balancer appended the address it saw.
        assert_eq!(
            client_of(ip("10.0.0.1"), &["1.2.3.4, 203.0.113.9"], &balancer),
            ip("203.0.113.9")
        );
        // Two trusted hops, and the header split over two lines.
        let chain = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_of(
                ip("10.0.0.1"),
                &["1.2.3.4, 203.0.113.9", "10.0.0.2"],
                &chain
            ),
            ip("203.0.113.9")
        );
        // With a port, or an IPv6 address in brackets, as some balancers write them.
        assert_eq!(
            client_of(ip("10.0.0.1"), &["203.0.113.9:1234"], &balancer),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_of(ip("10.0.0.1"), &["[2001:db8::7]:443"], &balancer),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_of(ip("10.0.0.1"), &["[2001:db8::7]"], &balancer),
            ip("2001:db8::7")
        );
        // Nothing forwarded, or garbage: the proxy itself.
        assert_eq!(client_of(ip("10.0.0.1"), &[], &balancer), ip("10.0.0.1"));
        assert_eq!(
            client_of(ip("10.0.0.1"), &["not-an-ip"], &balancer),
            ip("10.0.0.1")
        );
    }
}
