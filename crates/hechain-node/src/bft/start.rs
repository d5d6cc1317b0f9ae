//! Start-up: the driver built from the stored head, the safety file and the journal, and the
//! transaction gossip task.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(crate) async fn start(
    settings: BftSettings,
    data_dir: &Path,
    store: Arc<Store>,
    mempool: Arc<Mempool>,
    genesis: Arc<Genesis>,
    key: NodeKey,
    blocks: broadcast::Sender<Arc<CommittedBlock>>,
    mut shutdown: watch::Receiver<bool>,
    fatal: crate::Fatal,
) -> Result<BftHandles, NodeError> {
    let cfg_err = |reason: String| NodeError::Config(reason);
    let my_pk = key.public_key();
    let my_id = my_pk.as_bytes().to_vec();
    if genesis.orgs.is_empty() {
        return Err(cfg_err(
            "the genesis lists no member organisations (CAs); create the network with `hechain init`".into(),
        ));
    }
    // The membership in force at the stored head decides this node's role and its peers.
    let reader = store.reader()?;
    let head = reader.head()?;
    let membership = governance::membership(&reader).map_err(|e| cfg_err(e.to_string()))?;
    let prev_membership = match membership.epoch {
        0 => None,
        e => governance::epoch_membership(&reader, e - 1).map_err(|e| cfg_err(e.to_string()))?,
    };
    let epoch = Epoch::new(&genesis, membership, &my_pk).map_err(cfg_err)?;
    let prev_epoch = match prev_membership {
        Some(m) => Some(Epoch::new(&genesis, m, &my_pk).map_err(cfg_err)?),
        None => None,
    };
    let member = epoch.membership.node_by_key(&my_id).is_some();
    if !member {
        tracing::warn!(
            "this node's key is not a member of the consortium at the stored height {}: it runs as an observer; \
             peers admit it once they have executed its admission by governance",
            head.height
        );
    } else if epoch.role() != settings.role {
        tracing::warn!(configured = %settings.role, actual = %epoch.role(), "the membership gives this node another role than its configuration");
    }
    let mut peers = HashMap::new();
    for (id, name, validator) in member_peers(&epoch.membership, &my_id) {
        peers.insert(id, PeerInfo { name, validator, height: 0, heard: false, round: 0, epoch: 0 });
    }
    // Between two configured peers the smaller id dials; the other one dials too when the peer
    // stays unreachable (it may not know this node's address).
    let dial: Vec<PeerEntry> = settings.peers.iter().filter(|p| p.id != my_id).cloned().collect();
    let net = NetConfig {
        listen_addr: settings.listen_addr,
        cert_chain_pem: settings.tls_cert_pem.clone(),
        key_pem: settings.tls_key_pem.clone(),
        ca_certs_pem: member_cas(&epoch.membership),
        allowed_peers: peers.keys().filter_map(|id| allowed_peer(&epoch.membership, id)).collect(),
        limits: settings.limits.clone(),
    };
    let (transport, inbound) = Transport::bind(net).await.map_err(|e| NodeError::Network(e.to_string()))?;
    let transport = Arc::new(transport);
    let p2p_addr = transport.local_addr();
    // Certificates the chain revoked are refused from the first handshake on.
    let revoked = governance::revoked_certs(&reader).map_err(|e| cfg_err(e.to_string()))?.fingerprints();
    transport.set_revoked(&revoked);

    // Recent blocks whose seals never reached a quorum (the node stopped first) get repaired.
    let mut seals = BTreeMap::new();
    for h in head.height.saturating_sub(64).max(1)..=head.height {
        if let (Some(hd), Ok(seal)) = (reader.header(h)?, reader.seal(h)) {
            let n = governance::membership_at(&reader, h).map(|m| m.validators.len()).unwrap_or(0);
            if seal.signatures.len() < hechain_cert::quorum(n) {
                // Its signatures so far (this node's own among them) go back into the collector
                // and are sent again: after a stop of every node, nobody else may hold them.
                let mut c = SealCollector::new();
                let hash = hd.hash(genesis.suite());
                c.ours = Some(hash);
                for s in &seal.signatures {
                    if let Ok(sig) = NodeSignature::from_slice(&s.signature) {
                        c.sigs.insert(s.validator, (hash, sig));
                    }
                }
                seals.insert(h, c);
            }
        }
    }
    drop(reader);
    let boundary_sealed = match epoch.membership.start_height.checked_sub(1) {
        Some(last) if prev_epoch.is_some() => !seals.contains_key(&last),
        _ => true,
    };
    let params = mempool.params();
    let timeout_ms = params.consensus_timeout_ms;
    let anchor = epoch_anchor(&epoch, head.height, head.round, head.consensus_id);
    let safety = SafetyFile::for_epoch(data_dir, epoch.number());
    let journal = BlockJournal::for_epoch(data_dir, epoch.number());
    let mut settings = settings;
    settings.max_block_txs = settings.max_block_txs.max(1);
    let mut payloads = BTreeMap::new();
    let core = match epoch.me {
        Some(index) => {
            let restored =
                safety.load()?.unwrap_or(SafetyState { last_voted_round: 0, high_qc: epoch.vs.genesis_qc() });
            let blocks = restore_journal(&journal, &epoch.vs, anchor.0, &mut payloads)?;
            let cfg = CoreConfig { validators: epoch.vs.clone(), me: index, base_timeout_ms: timeout_ms };
            let (core, refused) =
                Core::recover(cfg, key.clone(), restored, anchor, blocks).map_err(|e| cfg_err(e.to_string()))?;
            for e in refused {
                tracing::warn!(error = %e, "a journaled consensus block does not verify; left out (peers have it)");
            }
            Some(core)
        }
        None => None,
    };

    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let (exec_tx, exec_rx) = std::sync::mpsc::channel();
    let pending_blocks = Arc::new(AtomicU64::new(0));
    let executor = Executor {
        store: store.clone(),
        mempool: mempool.clone(),
        genesis: genesis.clone(),
        genesis_hash: genesis.hash(),
        key: key.clone(),
        epoch: epoch.clone(),
        blocks,
        pending_blocks: pending_blocks.clone(),
        fatal,
        revoked,
    };
    let exec_events = events_tx.clone();
    let pool = crate::work::ConsensusPool::new()?;
    let exec_pool = pool.clone();
    // The executor lives on the consensus pool, so that its parallel work stays there.
    std::thread::Builder::new()
        .name("hechain-exec".into())
        .spawn(move || exec_pool.install(|| executor.run(exec_rx, |ev| exec_events.send(Event::Exec(ev)).is_ok())))
        .map_err(|e| NodeError::Config(format!("cannot start the executor thread: {e}")))?;

    let (status_tx, status_rx) = watch::channel(serde_json::Value::Null);
    let (gossip_tx, gossip_rx) = mpsc::channel::<Vec<ChainTx>>(1024);
    let validator_ids = Arc::new(std::sync::RwLock::new(node_ids(&epoch.vs)));
    let gossip_task = tokio::spawn(gossip(gossip_rx, transport.clone(), validator_ids.clone(), my_id.clone()));

    let check = Arc::new(CheckCtx::new(genesis.suite(), &epoch, mempool.clone(), store.clone(), &settings));
    let now = Instant::now();
    let mut driver = Driver {
        pool,
        genesis_hash: genesis.hash(),
        suite: genesis.suite(),
        epoch,
        prev_epoch,
        my_id,
        key,
        settings,
        timeout_ms,
        core,
        data_dir: data_dir.to_path_buf(),
        safety,
        journal,
        journal_pruned: 0,
        executed_round: anchor.0,
        transport: transport.clone(),
        peers,
        validator_ids,
        dial,
        dialing: HashSet::new(),
        unreachable_since: HashMap::new(),
        boundary_sealed,
        store,
        mempool,
        check,
        exec_tx,
        pending_blocks,
        events: events_tx.clone(),
        timer: None,
        want: None,
        building: false,
        last_proposal_at: now,
        own_payload: None,
        payloads: BTreeMap::new(),
        inflight: BTreeMap::new(),
        inflight_set: HashSet::new(),
        queue: BTreeMap::new(),
        last_dispatched: anchor,
        head_height: head.height,
        seals,
        need_sync: false,
        last_payload_request: None,
        sync_inflight: None,
        last_status: now - STATUS_EVERY,
        last_dial: now - DIAL_EVERY,
        last_repair: now,
        last_seal_resend: now,
        last_progress: now,
        stall: None,
        stall_logged: None,
        status_tx,
    };
    for (id, (round, payload, encoded)) in payloads {
        driver.add_inflight(round, payload.txs.iter().map(|(h, _)| *h).collect());
        driver.payloads.insert(id, (round, payload, encoded));
    }
    tracing::info!(
        %p2p_addr,
        role = %driver.epoch.role(),
        index = ?driver.epoch.me,
        epoch = driver.epoch.number(),
        height = head.height,
        "BFT node starting"
    );

    driver.apply_members();
    let mut inbound = inbound;
    let main = tokio::spawn(async move {
        if let Some(core) = driver.core.as_mut() {
            let actions = core.start();
            driver.run_actions(actions);
        }
        let mut tick = tokio::time::interval(HOUSEKEEPING);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let deadline = driver.timer.map(|(_, at)| at).unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                _ = shutdown.changed() => {
                    if *shutdown.borrow() { break; }
                }
                m = inbound.recv() => match m {
                    Some(m) => driver.on_frame(m),
                    None => break,
                },
                ev = events_rx.recv() => match ev {
                    Some(ev) => driver.on_event(ev),
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    if let Some((round, _)) = driver.timer.take() {
                        driver.core_input(Input::Timeout { round });
                    }
                }
                _ = tick.tick() => driver.housekeeping(),
            }
        }
        driver.transport.shutdown();
        tracing::info!("BFT driver stopped");
    });
    Ok(BftHandles { p2p_addr, status: status_rx, gossip: gossip_tx, tasks: vec![main, gossip_task] })
}

/// Forwards locally admitted transactions to every other validator, coalescing small batches.
pub(super) async fn gossip(
    mut rx: mpsc::Receiver<Vec<ChainTx>>,
    transport: Arc<Transport>,
    validators: Arc<std::sync::RwLock<Vec<Vec<u8>>>>,
    me: Vec<u8>,
) {
    const MAX_BATCH: usize = 4096;
    while let Some(mut batch) = rx.recv().await {
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        // Client transactions: encoded on the blocking pool, not the consensus pool.
        let frame = match tokio::task::spawn_blocking(move || NetMsg::Txs(batch).encode()).await {
            Ok(f) => Arc::<[u8]>::from(f),
            Err(_) => continue,
        };
        let targets: Vec<Vec<u8>> = match validators.read() {
            Ok(v) => v.iter().filter(|v| **v != me).cloned().collect(),
            Err(_) => return,
        };
        for v in &targets {
            if let Err(e) = transport.send(v, frame.clone()) {
                tracing::debug!(error = %e, "transaction gossip not sent");
            }
        }
    }
}
