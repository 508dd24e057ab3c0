//! A mounted session: owns its iframe, listeners, timers and pending token request.

use crate::args::{self, Config};
use crate::error::{ErrorCode, WidgetError};
use crate::events::{Callbacks, EventKind};
use crate::iframe;
use crate::js::{self, JsView};
use crate::options;
use crate::protocol::{self, AppMessage};
use crate::provider::Provider;
use crate::session::State;
use crate::token::{self, Failure, Reason};
use futures_util::future::{abortable, select, AbortHandle, Either};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, Document, Element, HtmlIFrameElement, MessageEvent};

thread_local! {
    /// Live sessions, so a second mount into the same element replaces the first.
    static LIVE: RefCell<Vec<Rc<Inner>>> = const { RefCell::new(Vec::new()) };
}

/// The state of one mount. Borrows of its cells never span a call into JavaScript,
/// because callbacks may re-enter (`destroy()`, `refresh()`, another `mountVlens`).
pub struct Inner {
    container: Element,
    doc: Document,
    cfg: Config,
    provider: Provider,
    callbacks: Callbacks,
    state: Cell<State>,
    iframe: RefCell<Option<HtmlIFrameElement>>,
    listeners: RefCell<Vec<EventListener>>,
    load_timer: RefCell<Option<Timeout>>,
    token_task: RefCell<Option<AbortHandle>>,
    attempts: RefCell<Vec<AbortController>>,
    resolve: RefCell<Option<js_sys::Function>>,
    result: js_sys::Promise,
    camera_checked: Cell<bool>,
}

/// Mounts a session; see `mountVlens` in the README.
pub fn mount(element: &JsValue, token_provider: &JsValue, options: &JsValue) -> Result<VlensSession, WidgetError> {
    // The global `document`, not `window().document()`: `web_sys::window()` checks
    // `instanceof Window`, which fails under jsdom and happy-dom (component tests);
    // happy-dom's document is not even `instanceof Document`, so an object with a
    // `createElement` method is accepted as one.
    let global = js_sys::global();
    let doc = js_sys::Reflect::get(&global, &"document".into())
        .ok()
        .filter(|d| d.is_object() && js_sys::Reflect::get(d, &"createElement".into()).is_ok_and(|f| f.is_function()))
        .map(|d| d.unchecked_into::<Document>())
        .ok_or_else(|| {
            WidgetError::invalid("mountVlens needs a browser document: call it in the browser, e.g. from useEffect or onMounted, not during server-side rendering")
        })?;
    let container = args::element(&doc, element)?;
    let cfg = args::config(options)?;
    let base_uri = doc.base_uri().ok().flatten().unwrap_or_default();
    let provider = Provider::from_js(token_provider, &base_uri)?;

    // One element, at most one session: React StrictMode mounts twice.
    let previous: Vec<Rc<Inner>> =
        LIVE.with(|l| l.borrow().iter().filter(|s| s.container == container).cloned().collect());
    for old in previous {
        old.destroy();
    }

    let mut resolve = None;
    let result = js_sys::Promise::new(&mut |res, _rej| resolve = Some(res));
    let inner = Rc::new(Inner {
        container,
        doc,
        callbacks: Callbacks::new(options),
        provider,
        state: Cell::new(State::Token),
        iframe: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        load_timer: RefCell::new(None),
        token_task: RefCell::new(None),
        attempts: RefCell::new(Vec::new()),
        resolve: RefCell::new(resolve),
        result,
        camera_checked: Cell::new(false),
        cfg,
    });
    LIVE.with(|l| l.borrow_mut().push(inner.clone()));

    // The global object receives `message` events (a `Window`, or jsdom's window).
    if let Some(window) = js_sys::Reflect::get(&global, &"addEventListener".into())
        .ok()
        .filter(JsValue::is_function)
        .map(|_| global.unchecked_into::<web_sys::EventTarget>())
    {
        let weak = Rc::downgrade(&inner);
        let on_message = EventListener::new(&window, "message", move |ev| {
            if let (Some(inner), Some(ev)) = (weak.upgrade(), ev.dyn_ref::<MessageEvent>()) {
                inner.on_message(ev);
            }
        });
        inner.listeners.borrow_mut().push(on_message);
    }
    if let Some(signal) = inner.cfg.signal.clone() {
        if signal.aborted() {
            inner.destroy();
            return Ok(VlensSession { inner });
        }
        let weak = Rc::downgrade(&inner);
        let on_abort = EventListener::once(&signal, "abort", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.destroy();
            }
        });
        inner.listeners.borrow_mut().push(on_abort);
    }
    inner.start_token(Reason::Initial);
    Ok(VlensSession { inner })
}

impl Inner {
    fn emit(&self, kind: EventKind, detail: &JsValue) {
        if self.state.get() != State::Destroyed || kind == EventKind::Destroy {
            self.callbacks.emit(&self.container, kind, detail);
        }
    }

    fn destroyed(&self) -> bool {
        self.state.get() == State::Destroyed
    }

    fn fail(&self, err: WidgetError, stops_flow: bool) {
        if self.destroyed() {
            return;
        }
        if stops_flow {
            self.state.set(State::Error);
        }
        self.emit_error(err.code.as_str(), &err.message, err.recoverable, "widget", None);
    }

    fn emit_error(&self, code: &str, message: &str, recoverable: bool, source: &str, app_code: Option<&str>) {
        let mut pairs = vec![
            ("code", JsValue::from_str(code)),
            ("message", JsValue::from_str(message)),
            ("recoverable", JsValue::from_bool(recoverable)),
            ("source", JsValue::from_str(source)),
        ];
        if let Some(c) = app_code {
            pairs.push(("appCode", JsValue::from_str(c)));
        }
        self.emit(EventKind::Error, &js::object(&pairs));
    }

    fn settle(&self, status: &str, data: Option<&JsValue>) {
        if let Some(resolve) = self.resolve.take() {
            let mut pairs = vec![("status", JsValue::from_str(status))];
            if let Some(d) = data {
                pairs.push(("data", d.clone()));
            }
            let _ = resolve.call1(&JsValue::UNDEFINED, &js::object(&pairs));
        }
    }

    fn abort_attempts(&self) {
        for controller in self.attempts.take() {
            controller.abort();
        }
    }

    /// Starts asking the provider, replacing any request in flight.
    fn start_token(self: &Rc<Self>, purpose: Reason) {
        if let Some(task) = self.token_task.take() {
            task.abort();
        }
        self.abort_attempts();
        // Aborting runs the host's abort listeners, which may have destroyed the session.
        if self.destroyed() {
            return;
        }
        if purpose != Reason::Expired {
            self.state.set(State::Token);
        }
        let (task, handle) = abortable(acquire(Rc::downgrade(self), purpose));
        *self.token_task.borrow_mut() = Some(handle);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = task.await;
        });
    }

    fn use_token(self: &Rc<Self>, token: &str, purpose: Reason) {
        if self.destroyed() {
            return;
        }
        let encoded = String::from(js_sys::encode_uri_component(token));
        if purpose == Reason::Expired {
            let frame = self.iframe.borrow().as_ref().and_then(HtmlIFrameElement::content_window);
            if let Some(frame) = frame {
                let msg = js::object(&[
                    ("source", protocol::HOST_SOURCE.into()),
                    ("version", protocol::VERSION.into()),
                    ("type", "token".into()),
                    ("data", js::object(&[("token", token.into())])),
                ]);
                // Never '*': the token goes to the Vlens origin or nowhere.
                let _ = frame.post_message(&msg, &self.cfg.origin);
            }
            return;
        }
        let src = options::session_src(&self.cfg.base, &encoded);
        let existing = self.iframe.borrow().clone();
        let frame = match existing {
            Some(frame) => frame,
            None => match self.insert_iframe() {
                Ok(frame) => frame,
                Err(_) => {
                    return self.fail(
                        WidgetError::new(
                            ErrorCode::LoadTimeout,
                            "could not create the Vlens iframe in the container element",
                            true,
                        ),
                        true,
                    )
                }
            },
        };
        self.state.set(State::Loading);
        self.arm_load_timer();
        frame.set_src(&src);
        if !self.camera_checked.replace(true) {
            let blocked = iframe::blocked_features(&self.doc, &frame);
            if !blocked.is_empty() {
                let message = [
                    "this page's Permissions-Policy blocks ",
                    &blocked.join(" and "),
                    ", so it cannot pass them on to the Vlens iframe and the liveness check cannot work. Allow them for the Vlens origin, e.g. Permissions-Policy: camera=(self \"",
                    &self.cfg.origin,
                    "\"), microphone=(self \"",
                    &self.cfg.origin,
                    "\")",
                ]
                .concat();
                self.fail(WidgetError::new(ErrorCode::CameraBlocked, message, false), false);
            }
        }
    }

    fn insert_iframe(self: &Rc<Self>) -> Result<HtmlIFrameElement, JsValue> {
        let frame = iframe::create(&self.doc, &self.cfg)?;
        self.container.append_child(&frame)?;
        let weak = Rc::downgrade(self);
        let on_load = EventListener::new(&frame, "load", move |_| {
            if let Some(inner) = weak.upgrade() {
                drop(inner.load_timer.take());
                inner.emit(EventKind::Load, &js::object(&[]));
            }
        });
        self.listeners.borrow_mut().push(on_load);
        *self.iframe.borrow_mut() = Some(frame.clone());
        Ok(frame)
    }

    fn arm_load_timer(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let ms = self.cfg.load_timeout_ms;
        let timer = Timeout::new(ms, move || {
            if let Some(inner) = weak.upgrade() {
                drop(inner.load_timer.take());
                let message = [
                    "the Vlens app at ",
                    &inner.cfg.origin,
                    " did not load within loadTimeoutMs (",
                    &token::decimal(ms),
                    " ms): check the network and baseUrl, then call refresh()",
                ]
                .concat();
                inner.fail(WidgetError::new(ErrorCode::LoadTimeout, message, true), true);
            }
        });
        *self.load_timer.borrow_mut() = Some(timer);
    }

    /// The checks every incoming message passes, in order: sender window, exact origin, shape.
    fn accept(&self, ev: &MessageEvent) -> Option<(AppMessage, JsValue)> {
        let frame = self.iframe.borrow().as_ref()?.content_window()?;
        if JsValue::from(ev.source()?) != JsValue::from(frame) {
            return None;
        }
        if ev.origin() != self.cfg.origin {
            return None;
        }
        let mut data = ev.data();
        if let Some(text) = js::short_string(&data, protocol::MAX_STRING_MESSAGE) {
            data = js_sys::JSON::parse(&text.ok()?).ok()?;
        }
        if !data.is_object() {
            return None;
        }
        let view = JsView(data);
        let msg = protocol::parse(&view)?;
        let payload = js::given(js::get(&view.0, "data")).unwrap_or_else(|| js::object(&[]));
        Some((msg, payload))
    }

    fn on_message(self: &Rc<Self>, ev: &MessageEvent) {
        let Some((msg, data)) = self.accept(ev) else { return };
        let state = self.state.get();
        if !state.accepts(&msg) {
            return;
        }
        self.state.set(state.after(&msg));
        match msg {
            AppMessage::Ready => self.emit(EventKind::Ready, &js::object(&[])),
            AppMessage::Step(step) => self.emit(EventKind::Step, &js::object(&[("step", step.into())])),
            AppMessage::Resize(asked) => {
                let height = if self.cfg.auto_resize {
                    let h = options::clamp_height(asked, self.cfg.min_height, self.cfg.max_height);
                    if let Some(frame) = self.iframe.borrow().as_ref() {
                        iframe::set_height(frame, h);
                    }
                    h
                } else {
                    asked
                };
                self.emit(EventKind::Resize, &js::object(&[("height", height.into())]));
            }
            AppMessage::Completed => {
                self.settle("completed", Some(&data));
                self.emit(EventKind::Complete, &js::object(&[("data", data)]));
            }
            AppMessage::Cancelled => {
                self.settle("cancelled", Some(&data));
                self.emit(EventKind::Cancel, &js::object(&[("data", data)]));
            }
            AppMessage::Error { code, message, recoverable } => {
                let message = message.unwrap_or_else(|| "the Vlens app reported an error".into());
                self.emit_error(
                    ErrorCode::AppError.as_str(),
                    &message,
                    recoverable.unwrap_or(false),
                    "app",
                    code.as_deref(),
                );
            }
            AppMessage::TokenExpired => {
                // Single flight: expiries during a pending request join it.
                if self.token_task.borrow().is_none() {
                    self.start_token(Reason::Expired);
                }
            }
            AppMessage::Other(kind) => {
                self.emit(EventKind::Message, &js::object(&[("type", kind.into()), ("data", data)]))
            }
        }
    }

    /// Asks for a new token and reloads the iframe with it.
    pub fn refresh(self: &Rc<Self>) {
        if self.state.get().can_refresh() {
            self.start_token(Reason::Refresh);
        }
    }

    /// Removes the iframe and releases every listener, timer and request. Idempotent.
    pub fn destroy(self: &Rc<Self>) {
        if self.destroyed() {
            return;
        }
        self.state.set(State::Destroyed);
        if let Some(task) = self.token_task.take() {
            task.abort();
        }
        self.abort_attempts();
        drop(self.listeners.take());
        drop(self.load_timer.take());
        if let Some(frame) = self.iframe.take() {
            frame.remove();
        }
        LIVE.with(|l| l.borrow_mut().retain(|s| !Rc::ptr_eq(s, self)));
        self.settle("destroyed", None);
        self.emit(EventKind::Destroy, &js::object(&[]));
    }
}

/// One provider call in flight. Dropping it (done, timed out, or the task was cancelled)
/// aborts its request and forgets it; `destroy()` aborts whatever is still registered.
struct Attempt {
    session: Weak<Inner>,
    controller: AbortController,
    settled: bool,
}

impl Attempt {
    fn start(inner: &Rc<Inner>) -> Option<Attempt> {
        let controller = AbortController::new().ok()?;
        inner.attempts.borrow_mut().push(controller.clone());
        Some(Attempt { session: Rc::downgrade(inner), controller, settled: false })
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if let Some(inner) = self.session.upgrade() {
            if let Ok(mut attempts) = inner.attempts.try_borrow_mut() {
                attempts.retain(|c| c != &self.controller);
            }
        }
        // Last, as it runs the host's abort listeners.
        if !self.settled {
            self.controller.abort();
        }
    }
}

/// Asks the provider until it answers, attempts and retries run out, or the session goes.
async fn acquire(weak: Weak<Inner>, purpose: Reason) {
    let mut reason = purpose;
    let mut retry = 0;
    let (timeout_ms, retries) = match weak.upgrade() {
        Some(inner) => (inner.cfg.token_timeout_ms, inner.cfg.retries),
        None => return,
    };
    let outcome = loop {
        let Some(inner) = weak.upgrade() else { return };
        inner.emit(EventKind::Token, &js::object(&[("reason", reason.as_str().into())]));
        if inner.destroyed() {
            return;
        }
        let Some(mut guard) = Attempt::start(&inner) else { return };
        let provider = inner.provider.clone();
        drop(inner);

        let signal = guard.controller.signal();
        let attempt = Box::pin(provider.attempt(reason, &signal));
        let result = match select(attempt, TimeoutFuture::new(timeout_ms)).await {
            Either::Left((result, _)) => {
                guard.settled = true;
                result
            }
            Either::Right(_) => Err(Failure::Timeout),
        };
        // Ends the attempt; a timed-out request is aborted through ctx.signal.
        drop(guard);
        match result {
            Ok(token) => break Ok(token),
            Err(failure) if failure.is_retryable() && retry < retries => {
                retry += 1;
                TimeoutFuture::new(token::backoff_ms(retry, js_sys::Math::random())).await;
                reason = Reason::Retry;
            }
            Err(failure) => break Err(failure),
        }
    };
    let Some(inner) = weak.upgrade() else { return };
    inner.token_task.take();
    match outcome {
        Ok(token) => inner.use_token(&token, purpose),
        Err(failure) => inner.fail(failure.into_error(purpose, timeout_ms), true),
    }
}

/// The handle `mountVlens` returns.
#[wasm_bindgen]
pub struct VlensSession {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl VlensSession {
    /// `'token' | 'loading' | 'ready' | 'completed' | 'cancelled' | 'error' | 'destroyed'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.inner.state.get().as_str().into()
    }

    /// The iframe, or `null` before the first token and after `destroy()`.
    #[wasm_bindgen(getter)]
    pub fn iframe(&self) -> JsValue {
        self.inner.iframe.borrow().clone().map_or(JsValue::NULL, JsValue::from)
    }

    /// Resolves once the session ends; never rejects.
    #[wasm_bindgen(getter)]
    pub fn result(&self) -> js_sys::Promise {
        self.inner.result.clone()
    }

    /// Gets a new token (reason `'refresh'`) and reloads the iframe with it.
    pub fn refresh(&self) {
        self.inner.refresh();
    }

    /// Removes the iframe, every listener and timer, and aborts a pending token request.
    pub fn destroy(&self) {
        self.inner.destroy();
    }
}
