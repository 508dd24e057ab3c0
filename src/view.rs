//! What the session shows in the page, drawn as the engine says: our box or dialog
//! (`js/ui.js`), the screens in it, and the iframe. Only DOM calls; the texts, sizes and
//! which screen are the engine's ([`FrameLook`], [`BoxLook`], [`ScreenLook`]), passed in as
//! copies: the host may re-enter from the focus and DOM events these calls cause, so no
//! borrow of the engine is held across them.

use crate::browser::{self, css};
use crate::js;
use crate::ui::{BoxLook, FrameLook, ScreenLook};
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlIFrameElement};

/// The session's part of the page.
pub(crate) struct View {
    /// The host's element (or the body, for a modal without one): events go there.
    pub container: Element,
    doc: Document,
    frame: RefCell<Option<HtmlIFrameElement>>,
    /// What holds the iframe: our box, and the function that takes it (or the dialog) down.
    boxed: RefCell<Option<(Element, Function)>>,
}

impl View {
    pub(crate) fn new(container: Element, doc: Document) -> View {
        View { container, doc, frame: RefCell::new(None), boxed: RefCell::new(None) }
    }

    /// The iframe on show, if any.
    pub(crate) fn iframe(&self) -> Option<HtmlIFrameElement> {
        self.frame.borrow().clone()
    }

    fn place(&self) -> Option<Element> {
        self.boxed.borrow().as_ref().map(|(place, _)| place.clone())
    }

    /// A new iframe for `src`, in our box or the container, replacing any other.
    pub(crate) fn set_frame(&self, look: FrameLook, src: &str, onload: &Function) {
        self.remove_frame();
        let parent = self.place().unwrap_or_else(|| self.container.clone());
        let (width, height) = (css(&look.width), css(&look.height));
        let frame = js::frame(&parent, &look.allow, &look.title, &width, &height, src, onload);
        *self.frame.borrow_mut() = Some(frame);
    }

    pub(crate) fn remove_frame(&self) {
        if let Some(frame) = self.frame.take() {
            frame.remove();
        }
    }

    pub(crate) fn resize(&self, height: f64) {
        if let Some(frame) = self.iframe() {
            js::set_height(&frame, height);
        }
    }

    /// The features camera and microphone the page's policy keeps from the iframe.
    pub(crate) fn blocked(&self) -> Vec<&'static str> {
        self.iframe().map(|f| browser::blocked_features(&self.doc, &f)).unwrap_or_default()
    }

    /// Puts up our box, or the dialog with it.
    pub(crate) fn open(&self, look: BoxLook, on_close: &Function) {
        let (lang, dir) = (look.locale.tag(), look.locale.dir());
        let parts =
            js::open(&self.container, look.modal, lang, dir, &css(&look.width), &look.label, &look.close, on_close);
        if let (Ok(place), Ok(take_down)) = (parts.get(0).dyn_into(), parts.get(1).dyn_into()) {
            *self.boxed.borrow_mut() = Some((place, take_down));
        }
    }

    /// Takes down what `open` put up: the dialog closes, focus and scrolling return.
    pub(crate) fn close(&self) {
        if let Some((_, take_down)) = self.boxed.take() {
            let _ = take_down.call0(&JsValue::UNDEFINED);
        }
    }

    /// Shows a screen in our box, which holds `min_height` while there is no iframe.
    pub(crate) fn show(&self, screen: ScreenLook, min_height: Option<browser::Length>, on_retry: &Function) {
        let Some(place) = self.place() else { return };
        let min_height = min_height.as_ref().map_or(JsValue::from_str(""), css);
        let retry = screen.retry.unwrap_or_default();
        js::show(&place, screen.name, &screen.message, &retry, on_retry, &min_height);
    }

    /// Draws again what `update()` may have changed.
    pub(crate) fn restyle(&self, look: BoxLook) {
        let (place, frame) =
            (self.place().map_or(JsValue::NULL, JsValue::from), self.iframe().map_or(JsValue::NULL, JsValue::from));
        let (lang, dir) = (look.locale.tag(), look.locale.dir());
        let (width, height) = (css(&look.width), css(&look.frame_height));
        js::restyle(&place, &frame, look.modal, lang, dir, &look.label, &look.close, &width, &height, &look.title);
    }
}
