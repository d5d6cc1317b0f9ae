//! The mutual-TLS transport: listener, dialer, per-connection reader and writer tasks.

use crate::pki::{parse_certs_pem, parse_key_pem};
use crate::revoked::{fingerprint, Fingerprint, RevocationList};
use crate::verify::{AllowedPeers, MemberClientVerifier, MemberServerVerifier};
use crate::NetError;
use parking_lot::{Mutex, RwLock};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::AbortHandle;
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};

/// A message received from a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The sender's node id (consensus public key bytes), taken from its TLS certificate.
    pub peer_id: Vec<u8>,
    /// The frame payload.
    pub bytes: Vec<u8>,
}

/// Resource limits of a [`Transport`].
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted frame payload, in bytes, both directions (default 16 MiB). A peer that
    /// announces a larger frame is disconnected; [`Transport::send`] refuses larger messages.
    pub max_frame_bytes: usize,
    /// Messages queued per peer for sending (default 1024). When full, [`Transport::send`]
    /// returns [`NetError::QueueFull`] and the message is dropped and counted.
    pub outbound_queue: usize,
    /// Capacity of the inbound channel returned by [`Transport::bind`] (default 1024). When it
    /// is full, readers stop reading, which back-pressures the peers through TCP.
    pub inbound_queue: usize,
    /// Time allowed for TCP connect plus TLS handshake (default 10 s).
    pub handshake_timeout: Duration,
    /// Inbound TLS handshakes in progress at once (default 256); further connections are
    /// closed immediately until one finishes.
    pub max_pending_handshakes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: 16 * 1024 * 1024,
            outbound_queue: 1024,
            inbound_queue: 1024,
            handshake_timeout: Duration::from_secs(10),
            max_pending_handshakes: 256,
        }
    }
}

/// Configuration of a [`Transport`].
#[derive(Clone)]
pub struct NetConfig {
    /// Address to listen on (port 0 picks a free port; see [`Transport::local_addr`]).
    pub listen_addr: SocketAddr,
    /// This node's certificate chain (PEM, leaf first), issued by a member CA.
    pub cert_chain_pem: String,
    /// This node's TLS private key (PEM).
    pub key_pem: String,
    /// The member organisations' CA certificates (PEM each): the only trust roots. This is the
    /// initial set; [`Transport::set_members`] replaces it at run time.
    pub ca_certs_pem: Vec<String>,
    /// The nodes allowed to connect (the validator / observer set), each bound to its
    /// organisation's CA. This is the initial set; [`Transport::set_members`] replaces it at run
    /// time.
    pub allowed_peers: Vec<AllowedPeer>,
    /// Resource limits.
    pub limits: Limits,
}

impl std::fmt::Debug for NetConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetConfig")
            .field("listen_addr", &self.listen_addr)
            .field("allowed_peers", &self.allowed_peers.iter().map(|p| hex::encode(&p.id)).collect::<Vec<_>>())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A node allowed to connect, and the CA that must have issued its certificate.
///
/// Binding a node to its organisation's CA means a member organisation cannot issue a
/// certificate that passes for another organisation's node: the node id in a certificate is
/// believed only when that node's own organisation signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedPeer {
    /// The node id (hechain `NodePublicKey` bytes), carried in its certificate's DNS name.
    pub id: Vec<u8>,
    /// Its organisation's CA certificate (PEM). `None`: any member CA may have issued it (chains
    /// whose nodes belong to no organisation).
    pub issuer_pem: Option<String>,
}

impl From<Vec<u8>> for AllowedPeer {
    fn from(id: Vec<u8>) -> Self {
        Self { id, issuer_pem: None }
    }
}

/// This node's own TLS identity, kept from the bind configuration so that the TLS configurations
/// can be rebuilt for a new member set.
struct Identity {
    provider: Arc<CryptoProvider>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// The TLS configurations for one member set (trust roots and allowed node ids). They are built
/// together and replaced together by [`Transport::set_members`].
struct MemberTls {
    /// Accepts inbound handshakes: the client chain must end at a member CA.
    acceptor: TlsAcceptor,
    /// Dials out: the server chain must end at a member CA and name an allowed node id.
    connector: TlsConnector,
    /// The allowed node ids, used to identify the peer after the handshake.
    allowed: Arc<AllowedPeers>,
}

/// Build the server and client TLS configurations for `identity` with the member CA roots
/// `ca_certs_pem` and the allowed node ids `allowed_peers`.
fn build_member_tls(
    identity: &Identity,
    ca_certs_pem: &[String],
    allowed_peers: &[AllowedPeer],
    revoked: &RevocationList,
) -> Result<MemberTls, NetError> {
    let provider = &identity.provider;
    let mut roots = RootCertStore::empty();
    for pem in ca_certs_pem {
        for cert in parse_certs_pem(pem)? {
            roots.add(cert).map_err(|e| NetError::TlsConfig(format!("member CA certificate: {e}")))?;
        }
    }
    let allowed = Arc::new(AllowedPeers::new(allowed_peers, roots, provider)?);

    let client_verifier = Arc::new(MemberClientVerifier { allowed: allowed.clone(), revoked: revoked.clone() });
    let server_config = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_err)?
        .with_client_cert_verifier(client_verifier)
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())
        .map_err(tls_err)?;

    let server_verifier = Arc::new(MemberServerVerifier { allowed: allowed.clone(), revoked: revoked.clone() });
    let client_config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_err)?
        .dangerous()
        .with_custom_certificate_verifier(server_verifier)
        .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
        .map_err(tls_err)?;

    Ok(MemberTls {
        acceptor: TlsAcceptor::from(Arc::new(server_config)),
        connector: TlsConnector::from(Arc::new(client_config)),
        allowed,
    })
}

struct Peer {
    conn_id: u64,
    /// Its certificate's fingerprint (for revocation).
    fingerprint: Fingerprint,
    addr: SocketAddr,
    tx: mpsc::Sender<Arc<[u8]>>,
    reader: AbortHandle,
    writer: AbortHandle,
}

struct Shared {
    peers: Mutex<HashMap<Vec<u8>, Peer>>,
    limits: Limits,
    /// The TLS configurations of the current member set. Lock order: `peers` before `tls`;
    /// `tls` is never held while taking `peers`.
    tls: RwLock<Arc<MemberTls>>,
    /// Revoked certificates (checked by the verifiers and at registration).
    revoked: RevocationList,
    inbound_tx: mpsc::Sender<Inbound>,
    dropped: AtomicU64,
    next_conn: AtomicU64,
    closed: AtomicBool,
}

impl Shared {
    /// The TLS configurations of the current member set.
    fn member_tls(&self) -> Arc<MemberTls> {
        self.tls.read().clone()
    }
}

/// A running mutual-TLS transport: it accepts connections on its listen address and dials
/// peers on request. At most one connection per peer node id exists; a second one is refused.
///
/// Dropping the transport (or [`Transport::shutdown`]) stops the listener and closes all
/// connections. Failed connections are not re-established automatically: the caller watches
/// [`Transport::peers`] and calls [`Transport::connect`] again.
///
/// The member set (trust roots and allowed node ids) starts as given in [`NetConfig`] and can be
/// replaced at run time with [`Transport::set_members`].
///
/// Must be used inside a Tokio runtime.
pub struct Transport {
    shared: Arc<Shared>,
    identity: Identity,
    local_addr: SocketAddr,
    accept: AbortHandle,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").field("local_addr", &self.local_addr).finish_non_exhaustive()
    }
}

pub(crate) fn tls_err(e: impl std::fmt::Display) -> NetError {
    NetError::TlsConfig(e.to_string())
}

impl Transport {
    /// Build the TLS configurations, bind the listener and start accepting. Returns the
    /// transport and the channel of messages received from all peers.
    pub async fn bind(config: NetConfig) -> Result<(Transport, mpsc::Receiver<Inbound>), NetError> {
        let l = &config.limits;
        if l.outbound_queue == 0 || l.inbound_queue == 0 || l.max_pending_handshakes == 0 {
            return Err(NetError::TlsConfig("queue capacities and max_pending_handshakes must be at least 1".into()));
        }
        if config.limits.max_frame_bytes > u32::MAX as usize {
            return Err(NetError::TlsConfig("max_frame_bytes must fit in a u32".into()));
        }
        let identity = Identity {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            chain: parse_certs_pem(&config.cert_chain_pem)?,
            key: parse_key_pem(&config.key_pem)?,
        };
        let revoked = RevocationList::default();
        let member_tls = build_member_tls(&identity, &config.ca_certs_pem, &config.allowed_peers, &revoked)?;

        let listener = TcpListener::bind(config.listen_addr)
            .await
            .map_err(|source| NetError::Io { context: format!("binding {}", config.listen_addr), source })?;
        let local_addr =
            listener.local_addr().map_err(|source| NetError::Io { context: "reading local address".into(), source })?;

        let (inbound_tx, inbound_rx) = mpsc::channel(config.limits.inbound_queue);
        let shared = Arc::new(Shared {
            peers: Mutex::new(HashMap::new()),
            limits: config.limits,
            tls: RwLock::new(Arc::new(member_tls)),
            revoked,
            inbound_tx,
            dropped: AtomicU64::new(0),
            next_conn: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        });
        let accept = tokio::spawn(accept_loop(shared.clone(), listener)).abort_handle();
        let transport = Transport { shared, identity, local_addr, accept };
        Ok((transport, inbound_rx))
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Dial `peer_addr`, run the TLS handshake (the server must present a member-CA certificate
    /// naming an allowed node id) and start the connection. Returns the peer's node id.
    ///
    /// With TLS 1.3 the server validates this node's certificate after the client considers the
    /// handshake done, so a server that refuses us shows up as a connection that closes at once.
    pub async fn connect(&self, peer_addr: SocketAddr) -> Result<Vec<u8>, NetError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(NetError::Shutdown);
        }
        let timeout = self.shared.limits.handshake_timeout;
        let member_tls = self.shared.member_tls();
        let handshake = async {
            let tcp = TcpStream::connect(peer_addr).await.map_err(|e| e.to_string())?;
            let _ = tcp.set_nodelay(true);
            let name = ServerName::try_from(crate::pki::NODE_NAME_SUFFIX).map_err(|e| e.to_string())?;
            member_tls.connector.connect(name, tcp).await.map_err(|e| e.to_string())
        };
        let tls = match tokio::time::timeout(timeout, handshake).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(reason)) => return Err(NetError::Handshake { addr: peer_addr, reason }),
            Err(_) => return Err(NetError::Handshake { addr: peer_addr, reason: "timed out".into() }),
        };
        let (peer_id, fp) = identify(&member_tls, tls.get_ref().1.peer_certificates())
            .ok_or(NetError::PeerNotAllowed { addr: peer_addr })?;
        start_connection(&self.shared, peer_id.clone(), fp, peer_addr, TlsStream::from(tls))?;
        Ok(peer_id)
    }

    /// Replace the member set: the trust roots (`ca_certs_pem`, the member organisations' CA
    /// certificates, PEM each) and the node ids allowed to connect (`allowed_peers`). Both lists
    /// replace the current ones entirely; this node's own certificate chain and key stay as given
    /// to [`Self::bind`].
    ///
    /// * The server and client TLS configurations are rebuilt exactly as in [`Self::bind`] and
    ///   swapped in at once: every inbound handshake accepted and every [`Self::connect`] started
    ///   after this returns uses the new set. Handshakes already in progress finish under the old
    ///   configuration, but a connection is registered only if its node id is allowed by the set
    ///   current at that moment, so a node removed here cannot slip in through one of them.
    /// * Every connected peer whose node id is not in `allowed_peers` is disconnected (and logged
    ///   at info level). Peers whose id stays allowed keep their connection, even if the CA that
    ///   issued their certificate was removed; the new roots apply from their next handshake.
    ///   TLS session caches belong to the configurations, so they are discarded too.
    ///
    /// If a CA certificate or node id cannot be parsed, or the configurations cannot be built
    /// (e.g. `ca_certs_pem` is empty), an error ([`NetError::Pem`] or [`NetError::TlsConfig`]) is
    /// returned and nothing changes: the old member set stays in force and no peer is
    /// disconnected. After [`Self::shutdown`] it returns [`NetError::Shutdown`].
    ///
    /// Safe to call concurrently with every other method, including itself (the last swap wins
    /// and the disconnections follow the member set current when they are made). It rebuilds
    /// the configurations on every call, even if nothing changed.
    pub fn set_members(&self, ca_certs_pem: &[String], allowed_peers: &[AllowedPeer]) -> Result<(), NetError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(NetError::Shutdown);
        }
        let member_tls = Arc::new(build_member_tls(&self.identity, ca_certs_pem, allowed_peers, &self.shared.revoked)?);
        let old = std::mem::replace(&mut *self.shared.tls.write(), member_tls);
        drop(old);
        tracing::info!(member_cas = ca_certs_pem.len(), allowed_peers = allowed_peers.len(), "member set replaced");

        // Judge against the set current now, not `allowed_peers`: with concurrent calls, the last
        // swap must also decide who stays connected.
        let removed: Vec<(Vec<u8>, Peer)> = {
            let mut peers = self.shared.peers.lock();
            let current = self.shared.member_tls();
            let gone: Vec<Vec<u8>> = peers.keys().filter(|id| !current.allowed.contains(id)).cloned().collect();
            gone.into_iter().filter_map(|id| peers.remove(&id).map(|peer| (id, peer))).collect()
        };
        for (id, peer) in removed {
            tracing::info!(addr = %peer.addr, peer = %hex::encode(&id), "disconnecting peer: no longer an allowed node");
            peer.reader.abort();
            peer.writer.abort();
        }
        Ok(())
    }

    /// Replace the revoked certificates ([`crate::revoked`]): handshakes presenting one fail from
    /// now on, and every connected peer that presented one is disconnected at once (its node
    /// may reconnect with a new certificate from its organisation's CA). Returns how many peers
    /// were disconnected.
    pub fn set_revoked(&self, fingerprints: &[Fingerprint]) -> usize {
        if !self.shared.revoked.replace(fingerprints) {
            return 0;
        }
        tracing::info!(revoked = fingerprints.len(), "revoked certificates replaced");
        let removed: Vec<(Vec<u8>, Peer)> = {
            let mut peers = self.shared.peers.lock();
            let gone: Vec<Vec<u8>> = peers
                .iter()
                .filter(|(_, p)| self.shared.revoked.contains(&p.fingerprint))
                .map(|(id, _)| id.clone())
                .collect();
            gone.into_iter().filter_map(|id| peers.remove(&id).map(|peer| (id, peer))).collect()
        };
        for (id, peer) in &removed {
            tracing::warn!(addr = %peer.addr, peer = %hex::encode(id), "disconnecting peer: its certificate is revoked");
            peer.reader.abort();
            peer.writer.abort();
        }
        removed.len()
    }

    /// Queue `bytes` for `peer_id`. Never blocks and never grows memory past the queue bound:
    /// if the peer's queue is full the message is dropped, counted in
    /// [`Self::dropped_messages`], and [`NetError::QueueFull`] is returned.
    pub fn send(&self, peer_id: &[u8], bytes: impl Into<Arc<[u8]>>) -> Result<(), NetError> {
        let bytes = bytes.into();
        self.check_len(bytes.len())?;
        let peers = self.shared.peers.lock();
        let peer = peers.get(peer_id).ok_or_else(|| NetError::UnknownPeer(hex::encode(peer_id)))?;
        self.try_queue(peer_id, peer, bytes)
    }

    /// Queue `bytes` for every connected peer; returns how many queues accepted it. Full queues
    /// drop the message (counted in [`Self::dropped_messages`]).
    pub fn broadcast(&self, bytes: impl Into<Arc<[u8]>>) -> Result<usize, NetError> {
        let bytes = bytes.into();
        self.check_len(bytes.len())?;
        let peers = self.shared.peers.lock();
        Ok(peers.iter().filter(|(id, peer)| self.try_queue(id, peer, bytes.clone()).is_ok()).count())
    }

    fn check_len(&self, len: usize) -> Result<(), NetError> {
        let max = self.shared.limits.max_frame_bytes;
        if len > max {
            return Err(NetError::FrameTooLarge { len, max });
        }
        Ok(())
    }

    fn try_queue(&self, peer_id: &[u8], peer: &Peer, bytes: Arc<[u8]>) -> Result<(), NetError> {
        match peer.tx.try_send(bytes) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                Err(NetError::QueueFull(hex::encode(peer_id)))
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(NetError::UnknownPeer(hex::encode(peer_id))),
        }
    }

    /// Node ids of the currently connected peers, sorted.
    pub fn peers(&self) -> Vec<Vec<u8>> {
        let mut ids: Vec<Vec<u8>> = self.shared.peers.lock().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// The remote address of the connection to `peer_id`, if connected.
    pub fn peer_addr(&self, peer_id: &[u8]) -> Option<SocketAddr> {
        self.shared.peers.lock().get(peer_id).map(|p| p.addr)
    }

    /// Messages dropped so far because a peer's outbound queue was full.
    pub fn dropped_messages(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Close the connection to `peer_id`, if any.
    pub fn disconnect(&self, peer_id: &[u8]) {
        if let Some(peer) = self.shared.peers.lock().remove(peer_id) {
            peer.reader.abort();
            peer.writer.abort();
        }
    }

    /// Stop accepting and close every connection. Idempotent; also done on drop.
    pub fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.accept.abort();
        let peers: Vec<Peer> = self.shared.peers.lock().drain().map(|(_, p)| p).collect();
        for peer in peers {
            peer.reader.abort();
            peer.writer.abort();
        }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    let pending = Arc::new(Semaphore::new(shared.limits.max_pending_handshakes));
    loop {
        let (tcp, addr) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // E.g. EMFILE: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = pending.clone().try_acquire_owned() else {
            tracing::warn!(%addr, "refusing inbound connection: too many handshakes in progress");
            continue;
        };
        // The configurations current when the connection arrives.
        let (shared, member_tls) = (shared.clone(), shared.member_tls());
        tokio::spawn(async move {
            accept_one(shared, member_tls, tcp, addr).await;
            drop(permit);
        });
    }
}

async fn accept_one(shared: Arc<Shared>, member_tls: Arc<MemberTls>, tcp: TcpStream, addr: SocketAddr) {
    let _ = tcp.set_nodelay(true);
    let tls = match tokio::time::timeout(shared.limits.handshake_timeout, member_tls.acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::warn!(%addr, error = %e, "refusing inbound connection: TLS handshake failed");
            return;
        }
        Err(_) => {
            tracing::warn!(%addr, "refusing inbound connection: TLS handshake timed out");
            return;
        }
    };
    let Some((peer_id, fp)) = identify(&member_tls, tls.get_ref().1.peer_certificates()) else {
        tracing::warn!(%addr, "refusing inbound connection: certificate names no allowed node id");
        return;
    };
    if let Err(e) = start_connection(&shared, peer_id, fp, addr, TlsStream::from(tls)) {
        tracing::warn!(%addr, error = %e, "refusing inbound connection");
    }
}

/// The node id and certificate fingerprint of a verified peer's end-entity certificate.
fn identify(member_tls: &MemberTls, certs: Option<&[CertificateDer<'static>]>) -> Option<(Vec<u8>, Fingerprint)> {
    let cert = certs?.first()?;
    let entry = member_tls.allowed.identify(cert)?;
    Some((entry.id.clone(), fingerprint(cert.as_ref())))
}

/// Register a verified connection and spawn its reader and writer tasks. The node id must be
/// allowed by the member set current now (the handshake may have run under an older one), and
/// its certificate not revoked by now.
fn start_connection(
    shared: &Arc<Shared>,
    peer_id: Vec<u8>,
    fp: Fingerprint,
    addr: SocketAddr,
    stream: TlsStream<TcpStream>,
) -> Result<(), NetError> {
    let mut peers = shared.peers.lock();
    if shared.closed.load(Ordering::Acquire) {
        return Err(NetError::Shutdown);
    }
    // Checked under the `peers` lock: `set_members` swaps the set before it takes this lock to
    // disconnect removed peers, so a connection either sees the new set here or is swept there.
    if !shared.member_tls().allowed.contains(&peer_id) || shared.revoked.contains(&fp) {
        return Err(NetError::PeerNotAllowed { addr });
    }
    if peers.contains_key(&peer_id) {
        return Err(NetError::AlreadyConnected(hex::encode(&peer_id)));
    }
    let conn_id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
    let (rd, mut wr) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::channel::<Arc<[u8]>>(shared.limits.outbound_queue);

    let reader = tokio::spawn({
        let shared = shared.clone();
        let peer_id = peer_id.clone();
        async move {
            read_loop(&shared, &peer_id, addr, rd).await;
            remove_peer(&shared, &peer_id, conn_id);
        }
    })
    .abort_handle();
    let writer = tokio::spawn({
        let shared = shared.clone();
        let peer_id = peer_id.clone();
        async move {
            while let Some(msg) = rx.recv().await {
                let len = (msg.len() as u32).to_be_bytes();
                let res = async {
                    wr.write_all(&len).await?;
                    wr.write_all(&msg).await?;
                    wr.flush().await
                }
                .await;
                if let Err(e) = res {
                    tracing::warn!(%addr, peer = %hex::encode(&peer_id), error = %e, "closing connection: write failed");
                    break;
                }
            }
            let _ = wr.shutdown().await;
            remove_peer(&shared, &peer_id, conn_id);
        }
    })
    .abort_handle();
    tracing::debug!(%addr, peer = %hex::encode(&peer_id), "peer connected");
    peers.insert(peer_id, Peer { conn_id, fingerprint: fp, addr, tx, reader, writer });
    Ok(())
}

/// Read frames until the connection ends, fails, or violates the frame limit.
async fn read_loop<R: AsyncRead>(shared: &Shared, peer_id: &[u8], addr: SocketAddr, mut rd: ReadHalf<R>) {
    let max = shared.limits.max_frame_bytes;
    loop {
        let len = match rd.read_u32().await {
            Ok(len) => len as usize,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                tracing::debug!(%addr, peer = %hex::encode(peer_id), "connection closed by peer");
                return;
            }
            Err(e) => {
                tracing::warn!(%addr, peer = %hex::encode(peer_id), error = %e, "closing connection: read failed");
                return;
            }
        };
        if len > max {
            tracing::warn!(%addr, peer = %hex::encode(peer_id), len, max, "closing connection: frame exceeds limit");
            return;
        }
        // Grow the buffer as data arrives rather than trusting the announced length up front.
        let mut bytes = Vec::with_capacity(len.min(64 * 1024));
        match (&mut rd).take(len as u64).read_to_end(&mut bytes).await {
            Ok(n) if n == len => {}
            Ok(_) => {
                tracing::warn!(%addr, peer = %hex::encode(peer_id), "closing connection: truncated frame");
                return;
            }
            Err(e) => {
                tracing::warn!(%addr, peer = %hex::encode(peer_id), error = %e, "closing connection: read failed");
                return;
            }
        }
        let msg = Inbound { peer_id: peer_id.to_vec(), bytes };
        if shared.inbound_tx.send(msg).await.is_err() {
            // The receiver is gone: nobody consumes messages any more.
            return;
        }
    }
}

/// Remove connection `conn_id` of `peer_id` (if still current) and stop both of its tasks.
fn remove_peer(shared: &Shared, peer_id: &[u8], conn_id: u64) {
    let mut peers = shared.peers.lock();
    if peers.get(peer_id).is_some_and(|p| p.conn_id == conn_id) {
        if let Some(peer) = peers.remove(peer_id) {
            drop(peers);
            peer.reader.abort();
            peer.writer.abort();
        }
    }
}
