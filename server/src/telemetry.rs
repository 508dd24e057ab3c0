//! Request logs: `tracing` with `tower-http`'s `TraceLayer`, one line per answer
//! with the method, the matched route (the route's template, never the requested
//! path), the status and the latency; handlers add a note (which Vlens endpoint) as
//! a [`LogNote`] response extension, and log failures themselves with their reason.
//!
//! Nothing taken from the request reaches a log line: not the path, the query,
//! headers, the body, field names from the body, tokens, keys or phone numbers.
//! Methods outside the standard set are logged as `OTHER`.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::Method;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// A fixed note for the request's log line, e.g. the Vlens endpoint called.
#[derive(Debug, Clone, Copy)]
pub struct LogNote(pub &'static str);

/// The method as logged: standard methods by name, any other as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN.iter().find(|m| *m == method).map_or("OTHER", |m| m.as_str())
}

/// The route as logged: the matched route's template, or `fallback` for what the
/// fallback answers (the host's static files, unknown paths).
fn route_label<B>(req: &axum::http::Request<B>) -> String {
    match req.extensions().get::<MatchedPath>() {
        // A nested service's template holds axum's private wildcard name: show `*`.
        Some(path) => match path.as_str().split_once('{') {
            Some((prefix, _)) => format!("{prefix}*"),
            None => path.as_str().to_string(),
        },
        None => "fallback".to_string(),
    }
}

/// Makes the span of a request: `server`, `method`, `route`.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan(&'static str);

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> Span {
        tracing::info_span!("http", server = %self.0, method = %method_label(req.method()), route = %route_label(req))
    }
}

/// Logs one `INFO` line per answer: status, latency and the handler's [`LogNote`].
#[derive(Debug, Clone, Copy)]
pub struct AnswerLog;

impl<B> OnResponse<B> for AnswerLog {
    fn on_response(self, res: &axum::http::Response<B>, latency: Duration, _span: &Span) {
        let status = res.status().as_u16();
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        match res.extensions().get::<LogNote>() {
            Some(LogNote(note)) => tracing::info!(status, latency_ms, note = %note, "answered"),
            None => tracing::info!(status, latency_ms, "answered"),
        }
    }
}

/// The request-log layer of both servers.
pub type HttpTrace = TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), AnswerLog, (), (), ()>;

/// The `TraceLayer` of both servers: a span per request with `method`, `route` (and
/// `server`: `host` or `mock`), and one `INFO` line per answer with its status,
/// latency and note.
pub fn trace_layer(server: &'static str) -> HttpTrace {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan(server))
        .on_request(())
        .on_response(AnswerLog)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Logs to standard error: `RUST_LOG`-free, `INFO` and above, no colours.
pub fn init_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .try_init();
}
