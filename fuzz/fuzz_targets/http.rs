//! A real node's API (store, pool, solo producer: `hechain_testkit::TestNode`), answered
//! in-process through the same router the node serves. A panic in a handler shows as a 500
//! ("request worker failed"), so any 500 is a finding.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request};
use hechain_rpc::{RpcConfig, RpcContext};
use hechain_testkit::TestNode;
use tower::ServiceExt;

struct Api {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    _node: TestNode,
}

fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let node = rt.block_on(TestNode::start());
        node.produce_block();
        let ctx = Arc::new(RpcContext {
            store: node.store.clone(),
            mempool: node.mempool.clone(),
            genesis: node.genesis.clone(),
            blocks: node.blocks.clone(),
            config: RpcConfig::default(),
            gossip: None,
            consensus_status: None,
        });
        // The router starts its followers (metrics, status) as tasks: build it inside the runtime.
        let router = {
            let _inside = rt.enter();
            hechain_rpc::router(ctx)
        };
        Api { router, rt, _node: node }
    })
}

/// Sends one request; panics on a server error.
pub fn send(method: Method, path: &str, content_type: &str, body: Vec<u8>) {
    let api = api();
    let Ok(req) = Request::builder().method(method).uri(path).header("content-type", content_type).body(Body::from(body))
    else {
        return;
    };
    let status = api.rt.block_on(api.router.clone().oneshot(req)).map(|r| r.status()).unwrap();
    assert!(!status.is_server_error(), "{path}: {status}");
}
