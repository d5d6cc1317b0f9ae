//! `GET /api/v1/events/blocks`: server-sent events, one per committed block.
//!
//! Each block is sent as `event: block` with data
//! `{"height","hash","tx_count","timestamp_ms","state_root"}`. A subscriber
//! too slow to keep up with the broadcast channel gets one
//! `event: lagged` with `{"missed":N,"message":..}` and then continues with
//! the oldest block still buffered. Comments (`: keep-alive`) are sent every
//! 15 seconds of silence so proxies keep the connection open. The stream
//! ends when the server shuts down.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio::sync::watch;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;

/// Interval of keep-alive comments.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Resolves when the server starts shutting down; never if it has no
/// shutdown signal.
async fn shutting_down(mut rx: watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The SSE handler.
pub(crate) async fn block_events(State(st): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = st.ctx.blocks.subscribe();
    let stream = BroadcastStream::new(rx)
        .map(|item| {
            Ok(match item {
                Ok(b) => {
                    let h = &b.block.header;
                    let data = json!({
                        "height": h.height,
                        "hash": b.hash,
                        "tx_count": h.tx_count,
                        "timestamp_ms": h.timestamp_ms,
                        "state_root": h.state_root,
                    });
                    Event::default().event("block").id(h.height.to_string()).data(data.to_string())
                }
                Err(BroadcastStreamRecvError::Lagged(n)) => {
                    let data = json!({
                        "missed": n,
                        "message": format!(
                            "this subscriber fell behind and missed {n} block events; \
                             continuing with the oldest block still buffered"
                        ),
                    });
                    Event::default().event("lagged").data(data.to_string())
                }
            })
        })
        .take_until(shutting_down(st.shutdown));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
}
