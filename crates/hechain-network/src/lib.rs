//! Mutual-TLS transport between hechain consortium member nodes.
//!
//! * [`pki`]: a per-organisation CA ([`OrgCa`]) that issues node certificates carrying the
//!   node's consensus public key (its *node id*).
//! * [`Transport`]: a listener plus outbound dialer. Every connection is mutually
//!   authenticated TLS 1.3 — 1.2 is refused — (rustls, `ring` provider) against the member CA roots, and
//!   a peer is accepted only if its certificate names a node id in the allowed set
//!   (the validator / observer set). Messages are frames of a `u32` big-endian length and a
//!   payload of at most [`Limits::max_frame_bytes`].
//!
//! The member set (CA roots and allowed node ids) is given at [`Transport::bind`] and can be
//! replaced at run time with [`Transport::set_members`], e.g. when governance adds or removes an
//! organisation, validator or observer: later handshakes use the new set, and connected peers
//! whose node id is no longer allowed are disconnected.
//!
//! The transport does not reconnect: when a connection fails it is closed and removed from
//! [`Transport::peers`]; the caller dials again with [`Transport::connect`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod pki;
pub mod revoked;
mod transport;
mod verify;

pub use pki::{NodeCert, OrgCa};
pub use revoked::{fingerprint, Fingerprint};
pub use transport::{AllowedPeer, Inbound, Limits, NetConfig, Transport};

/// Errors of the network crate.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// Certificate generation failed.
    #[error("PKI error: {0}")]
    Pki(String),
    /// A PEM input could not be parsed.
    #[error("invalid PEM: {0}")]
    Pem(String),
    /// The TLS configuration could not be built (bad roots, key not matching certificate, ...).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// An I/O error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS handshake failed or timed out (e.g. certificate not issued by a member CA).
    #[error("TLS handshake with {addr} failed: {reason}")]
    Handshake {
        /// The remote address.
        addr: std::net::SocketAddr,
        /// Why.
        reason: String,
    },
    /// The peer's certificate does not name an allowed node id.
    #[error("peer at {addr} is not an allowed node")]
    PeerNotAllowed {
        /// The remote address.
        addr: std::net::SocketAddr,
    },
    /// A connection to this node id already exists.
    #[error("already connected to node {0}")]
    AlreadyConnected(String),
    /// No connection to this node id.
    #[error("not connected to node {0}")]
    UnknownPeer(String),
    /// The peer's outbound queue is full; the message was dropped (and counted).
    #[error("outbound queue to node {0} is full; message dropped")]
    QueueFull(String),
    /// The message exceeds the frame size limit.
    #[error("message of {len} bytes exceeds the frame limit of {max} bytes")]
    FrameTooLarge {
        /// The message length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The transport has been shut down.
    #[error("transport is shut down")]
    Shutdown,
}
