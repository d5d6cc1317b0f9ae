//! One deadline for a whole request body ([`ServerLimits::body_timeout`](crate::ServerLimits)).
//!
//! A client that sends headers and then trickles (or stops sending) its body holds a
//! connection and a task; the body must therefore arrive within a fixed time of the request's
//! start. The deadline is one instant per request, and a timer exists only while the body is
//! actually waiting for the network: a body that is already buffered (nearly every API call)
//! never touches the timer wheel. (A per-frame timer, as in generic timeout layers, costs a
//! timer registration per frame and showed up as a few percent of transfer throughput.)

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use hyper::body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// The error a body reports when its deadline passed; extractors turn it into a 400.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within the designated timeout of {0:?} (api.server.body_timeout_ms)")]
pub struct BodyTimedOut(Duration);

/// A request body that fails with [`BodyTimedOut`] once `deadline` has passed while it waits.
struct DeadlineBody {
    inner: Body,
    timeout: Duration,
    deadline: Instant,
    /// Created on the first wait for data, then kept: one timer per body, not per frame.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = this.deadline;
        let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut(this.timeout))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Gives `req`'s body a deadline `timeout` from now.
pub(crate) fn with_deadline(req: Request, timeout: Duration) -> Request {
    let deadline = Instant::now() + timeout;
    req.map(|inner| Body::new(DeadlineBody { inner, timeout, deadline, sleep: None }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_stalled_body_fails_at_the_deadline_and_a_ready_one_passes() {
        let ready = with_deadline(Request::new(Body::from("{}")), Duration::from_secs(1));
        let bytes = ready.into_body().collect().await.map(|c| c.to_bytes());
        assert_eq!(bytes.ok().as_deref(), Some(&b"{}"[..]));

        // A body whose sender never sends: the deadline ends it.
        let (_tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(1);
        let stalled = Body::new(http_body_util::StreamBody::new(tokio_stream::wrappers::ReceiverStream::new(rx)));
        let req = with_deadline(Request::new(stalled), Duration::from_millis(300));
        let started = Instant::now();
        let err = req.into_body().collect().await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("designated timeout"), "{err}");
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(5), "{took:?}");
    }
}
