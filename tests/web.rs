//! DOM behaviour of the widget in a real headless Chromium (`wasm-pack test --headless --chrome`).
//!
//! The cross-origin matrix (spoofing, CSP, builds) lives in `tests/e2e`; these tests pin the
//! DOM glue: argument errors, the iframe, lifecycle and clean-up.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlIFrameElement};

wasm_bindgen_test_configure!(run_in_browser);

/// What `js/entry.js` makes of the wasm exports: a handle around a session's number.
struct VlensSession {
    id: u32,
    result: js_sys::Promise,
}

impl VlensSession {
    fn state(&self) -> JsValue {
        vlens_widget::state(self.id)
    }
    fn iframe(&self) -> JsValue {
        vlens_widget::iframe(self.id)
    }
    fn result(&self) -> js_sys::Promise {
        self.result.clone()
    }
    fn destroy(&self) {
        vlens_widget::input(self.id, true)
    }
}

fn mount_vlens(element: JsValue, provider: JsValue, options: JsValue) -> Result<VlensSession, JsValue> {
    let mut resolve = None;
    let result = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
    let resolve = resolve.expect("the executor runs synchronously");
    vlens_widget::mount(element, provider, options, resolve).map(|id| VlensSession { id, result })
}

#[wasm_bindgen(inline_js = r#"
export function track() {
  if (!window.__vlensTrack) {
    const t = { message: 0, timers: new Set() };
    const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, fn, opts) { if (this === window && type === 'message') t.message++; return add.call(this, type, fn, opts); };
    EventTarget.prototype.removeEventListener = function (type, fn, opts) { if (this === window && type === 'message') t.message--; return remove.call(this, type, fn, opts); };
    const st = window.setTimeout, ct = window.clearTimeout;
    window.setTimeout = function (f, ms, ...a) { const id = st.call(window, (...b) => { t.timers.delete(id); f(...b); }, ms, ...a); t.timers.add(id); return id; };
    window.clearTimeout = function (id) { t.timers.delete(id); return ct.call(window, id); };
    window.__vlensTrack = t;
  }
  return window.__vlensTrack;
}
export function liveMessageListeners() { return window.__vlensTrack.message; }
export function liveTimers() { return window.__vlensTrack.timers.size; }
export function recorder() {
  const log = [];
  const fn = (type, detail) => log.push([type, detail]);
  fn.log = log;
  return fn;
}
export function neverProvider() {
  const fn = (ctx) => { fn.calls.push(ctx); return new Promise(() => {}); };
  fn.calls = [];
  return fn;
}
export function fixedProvider(token) {
  const fn = (ctx) => { fn.calls.push(ctx.reason); return Promise.resolve(token); };
  fn.calls = [];
  return fn;
}
export function postFromFrame(frame, msg) { frame.contentWindow.eval('parent.postMessage(' + JSON.stringify(msg) + ', "*")'); }
"#)]
extern "C" {
    fn track() -> JsValue;
    #[wasm_bindgen(js_name = liveMessageListeners)]
    fn live_message_listeners() -> i32;
    #[wasm_bindgen(js_name = liveTimers)]
    fn live_timers() -> u32;
    fn recorder() -> Function;
    #[wasm_bindgen(js_name = neverProvider)]
    fn never_provider() -> Function;
    #[wasm_bindgen(js_name = fixedProvider)]
    fn fixed_provider(token: &str) -> Function;
    #[wasm_bindgen(js_name = postFromFrame)]
    fn post_from_frame(frame: &HtmlIFrameElement, msg: &JsValue);
}

fn container() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

/// The event types the recorder saw, in order, without `vlens:state` (see [`states`]).
fn types(rec: &Function) -> Vec<String> {
    Array::from(&get(rec, "log"))
        .iter()
        .map(|e| Array::from(&e).get(0).as_string().unwrap())
        .filter(|t| t != "vlens:state")
        .collect()
}

/// The `state` of every `vlens:state` event, in order.
fn states(rec: &Function) -> Vec<String> {
    Array::from(&get(rec, "log"))
        .iter()
        .map(|e| Array::from(&e))
        .filter(|e| e.get(0).as_string().as_deref() == Some("vlens:state"))
        .map(|e| get(&e.get(1), "state").as_string().unwrap())
        .collect()
}

fn detail(rec: &Function, event: &str) -> JsValue {
    Array::from(&get(rec, "log"))
        .iter()
        .map(|e| Array::from(&e))
        .find(|e| e.get(0).as_string().as_deref() == Some(event))
        .map(|e| e.get(1))
        .unwrap_or(JsValue::UNDEFINED)
}

async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting for {what}");
}

fn expect_invalid(result: Result<VlensSession, JsValue>, needle: &str) {
    let err = result.err().expect("mountVlens should throw");
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error");
    assert_eq!(get(&err, "name").as_string().unwrap(), "VlensError");
    assert_eq!(get(&err, "code").as_string().unwrap(), "INVALID_ARGUMENT");
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains(needle), "{message:?} should mention {needle:?}");
}

#[wasm_bindgen_test]
fn programmer_errors_throw_vlens_error_synchronously() {
    let el: JsValue = container().into();
    let ok = fixed_provider("t");
    expect_invalid(mount_vlens(JsValue::NULL, ok.clone().into(), JsValue::UNDEFINED), "element must be a DOM Element");
    expect_invalid(mount_vlens("#nothing-here".into(), ok.clone().into(), JsValue::UNDEFINED), "no element matches");
    expect_invalid(mount_vlens("##".into(), ok.clone().into(), JsValue::UNDEFINED), "not a valid CSS selector");
    expect_invalid(mount_vlens(el.clone(), 42.into(), JsValue::UNDEFINED), "tokenProvider must be");
    expect_invalid(
        mount_vlens(
            el.clone(),
            "https://api.vlenseg.com/api/IdentityUserSession/CreateAuthSession".into(),
            JsValue::UNDEFINED,
        ),
        "ApiKey must never reach the browser",
    );
    expect_invalid(
        mount_vlens(el.clone(), ok.clone().into(), options(&[("baseUrl", "http://example.com".into())])),
        "https:",
    );
    expect_invalid(
        mount_vlens(el.clone(), ok.clone().into(), options(&[("apiKey", "secret".into())])),
        "stay on your server",
    );
    expect_invalid(mount_vlens(el.clone(), ok.clone().into(), options(&[("height", "tall".into())])), "CSS length");
    expect_invalid(
        mount_vlens(el.clone(), ok.clone().into(), options(&[("onComplete", 1.into())])),
        "onComplete must be a function",
    );
    let headers = options(&[("ApiKey", "secret".into())]);
    expect_invalid(
        mount_vlens(
            el.clone(),
            options(&[("url", "/api/vlens/session".into()), ("headers", headers)]),
            JsValue::UNDEFINED,
        ),
        "stay on your server",
    );
    assert_eq!(el.unchecked_ref::<Element>().child_element_count(), 0, "nothing inserted");
}

#[wasm_bindgen_test]
async fn mounts_a_sized_iframe_with_camera_and_microphone() {
    let el = container();
    let rec = recorder();
    let provider = fixed_provider("a&b#c%d\"e<f");
    let opts = options(&[
        ("baseUrl", (origin() + "/vlens/").into()),
        ("height", 640.into()),
        ("width", "90%".into()),
        ("allow", "fullscreen".into()),
        ("title", "Verify your identity".into()),
        ("onEvent", rec.clone().into()),
    ]);
    let session = mount_vlens(el.clone().into(), provider.clone().into(), opts).unwrap();
    assert_eq!(session.state(), "token");
    assert!(types(&rec).is_empty(), "no event before mountVlens returns");
    until("the iframe", || !session.iframe().is_null()).await;
    let frame: HtmlIFrameElement = session.iframe().dyn_into().unwrap();
    let boxed = frame.parent_element().unwrap();
    assert_eq!(boxed.parent_element().unwrap(), el, "the iframe is in our box, in the container");
    let look = boxed.get_attribute("style").unwrap();
    assert_eq!(look, "width: 90%; min-height: 640px;", "the box takes the width, and the height while loading");
    assert_eq!(frame.src(), origin() + "/vlens/session?token=a%26b%23c%25d%22e%3Cf");
    assert_eq!(frame.get_attribute("allow").unwrap(), "camera; microphone; fullscreen");
    assert_eq!(frame.title(), "Verify your identity");
    let style = frame.style();
    assert_eq!(style.get_property_value("height").unwrap(), "640px");
    assert_eq!(style.get_property_value("width").unwrap(), "100%", "and the iframe fills the box");
    assert_eq!(style.get_property_value("border-top-style").unwrap(), "none");
    assert_eq!(session.state(), "loading");
    assert_eq!(types(&rec)[0], "vlens:token");
    assert_eq!(get(&detail(&rec, "vlens:token"), "reason").as_string().unwrap(), "initial");
    assert!(get(&detail(&rec, "vlens:token"), "token").is_undefined(), "the token never appears in events");
    until("vlens:load", || types(&rec).contains(&"vlens:load".to_string())).await;
    session.destroy();
}

#[wasm_bindgen_test]
async fn messages_from_the_frame_become_events_and_spoofs_are_ignored() {
    let el = container();
    let rec = recorder();
    let opts = options(&[("baseUrl", origin().into()), ("onEvent", rec.clone().into()), ("maxHeight", 900.into())]);
    let session = mount_vlens(el.into(), fixed_provider("tok").into(), opts).unwrap();
    until("vlens:load", || types(&rec).contains(&"vlens:load".to_string())).await;
    let frame: HtmlIFrameElement = session.iframe().dyn_into().unwrap();
    let msg = |t: &str, data: JsValue| {
        options(&[("source", "vlens".into()), ("version", 1.into()), ("type", t.into()), ("data", data)])
    };

    // From the host page itself: right origin, wrong window.
    web_sys::window().unwrap().post_message(&msg("completed", options(&[])), "*").unwrap();
    post_from_frame(&frame, &msg("ready", options(&[])));
    post_from_frame(&frame, &msg("resize", options(&[("height", 1200.into())])));
    let payload = options(&[("sessionId", "s-1".into())]);
    post_from_frame(&frame, &msg("completed", payload));
    until("vlens:complete", || types(&rec).contains(&"vlens:complete".to_string())).await;

    assert_eq!(types(&rec), ["vlens:token", "vlens:load", "vlens:ready", "vlens:resize", "vlens:complete"]);
    assert_eq!(get(&detail(&rec, "vlens:resize"), "height").as_f64(), Some(900.0), "clamped to maxHeight");
    assert_eq!(frame.style().get_property_value("height").unwrap(), "900px");
    assert_eq!(session.state(), "completed");
    assert_eq!(states(&rec), ["token", "loading", "ready", "completed"]);
    let result = wasm_bindgen_futures::JsFuture::from(session.result()).await.unwrap();
    assert_eq!(get(&result, "status").as_string().unwrap(), "completed");
    assert_eq!(get(&get(&result, "data"), "sessionId").as_string().unwrap(), "s-1");
    session.destroy();
}

#[wasm_bindgen_test]
async fn destroy_during_a_pending_token_aborts_it_and_inserts_nothing() {
    let el = container();
    let rec = recorder();
    let provider = never_provider();
    let session =
        mount_vlens(el.clone().into(), provider.clone().into(), options(&[("onEvent", rec.clone().into())])).unwrap();
    until("the provider call", || Array::from(&get(&provider, "calls")).length() == 1).await;
    let ctx = Array::from(&get(&provider, "calls")).get(0);
    let signal: web_sys::AbortSignal = get(&ctx, "signal").dyn_into().unwrap();
    assert!(!signal.aborted());
    session.destroy();
    assert!(signal.aborted(), "the pending request is aborted at once");
    session.destroy();
    let result = wasm_bindgen_futures::JsFuture::from(session.result()).await.unwrap();
    assert_eq!(get(&result, "status").as_string().unwrap(), "destroyed");
    TimeoutFuture::new(50).await;
    assert_eq!(el.child_element_count(), 0);
    assert_eq!(session.state(), "destroyed");
    assert!(session.iframe().is_null(), "iframe is null, not undefined");
    assert_eq!(types(&rec), ["vlens:token", "vlens:destroy"], "vlens:destroy once, and last");
    assert_eq!(states(&rec), ["token", "destroyed"]);
}

#[wasm_bindgen_test]
async fn remounting_into_the_same_element_replaces_the_session() {
    let el = container();
    let first = mount_vlens(el.clone().into(), fixed_provider("one").into(), JsValue::UNDEFINED).unwrap();
    until("the first iframe", || !first.iframe().is_null()).await;
    let second = mount_vlens(el.clone().into(), fixed_provider("two").into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(first.state(), "destroyed");
    until("the second iframe", || !second.iframe().is_null()).await;
    assert_eq!(el.child_element_count(), 1);
    assert!(second.iframe().unchecked_into::<HtmlIFrameElement>().src().ends_with("token=two"));
    second.destroy();
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_leave_no_iframe_listener_or_timer() {
    track();
    TimeoutFuture::new(0).await;
    let listeners_before = live_message_listeners();
    let timers_before = live_timers();
    let el = container();
    for i in 0..200 {
        let session = mount_vlens(el.clone().into(), fixed_provider("t").into(), JsValue::UNDEFINED).unwrap();
        if i % 2 == 0 {
            // Half of them get as far as the iframe (and its load timer) first.
            until("the iframe", || !session.iframe().is_null()).await;
        }
        session.destroy();
    }
    TimeoutFuture::new(50).await;
    assert_eq!(el.child_element_count(), 0);
    assert_eq!(live_message_listeners(), listeners_before);
    assert_eq!(live_timers(), timers_before);
}
