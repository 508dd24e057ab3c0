//! Error codes and the error value the widget reports through `vlens:error`.

use alloc::string::String;

/// Every code a `vlens:error` event or a thrown `VlensError` can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// A programmer error in the arguments of `mountVlens` (thrown, never an event).
    InvalidArgument,
    /// The token provider failed on mount or on `refresh()`.
    TokenProviderFailed,
    /// The provider answered with something that is not a usable token.
    TokenInvalid,
    /// The provider did not answer within `tokenTimeoutMs`.
    TokenTimeout,
    /// The app's token expired and the provider could not replace it.
    TokenRefreshFailed,
    /// The iframe's `load` event did not come within `loadTimeoutMs`.
    LoadTimeout,
    /// The Vlens app reported an error of its own.
    AppError,
    /// The host page's permissions policy forbids camera or microphone.
    CameraBlocked,
}

impl ErrorCode {
    /// The code as JavaScript sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::TokenProviderFailed => "TOKEN_PROVIDER_FAILED",
            ErrorCode::TokenInvalid => "TOKEN_INVALID",
            ErrorCode::TokenTimeout => "TOKEN_TIMEOUT",
            ErrorCode::TokenRefreshFailed => "TOKEN_REFRESH_FAILED",
            ErrorCode::LoadTimeout => "LOAD_TIMEOUT",
            ErrorCode::AppError => "APP_ERROR",
            ErrorCode::CameraBlocked => "CAMERA_BLOCKED",
        }
    }
}

/// An error detected by the widget itself (`source: 'widget'`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetError {
    /// What kind of error.
    pub code: ErrorCode,
    /// A sentence for people: what went wrong and what to do.
    pub message: String,
    /// Whether `refresh()` may help.
    pub recoverable: bool,
}

impl WidgetError {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>, recoverable: bool) -> Self {
        WidgetError { code, message: message.into(), recoverable }
    }

    /// A programmer error in the arguments of `mountVlens`.
    pub fn invalid(message: impl Into<String>) -> Self {
        WidgetError::new(ErrorCode::InvalidArgument, message, false)
    }

    /// A programmer error about the argument or option `name`, explained by `prose` (use
    /// [`invalid!`]). The shipped build (feature `tiny`) never calls `prose`, so its text is
    /// not in the wasm: the message names the argument and where to read more, and the
    /// development build (feature `dev`: `dist/*.dev.js`, the `development` export condition)
    /// and native tests say at length what is wrong. Runtime errors keep their full text.
    pub fn argument(name: &str, prose: impl FnOnce() -> String) -> Self {
        #[cfg(any(feature = "dev", not(feature = "tiny")))]
        let message = {
            let _ = name;
            prose()
        };
        #[cfg(all(feature = "tiny", not(feature = "dev")))]
        let message = {
            drop(prose);
            [
                name,
                " is not valid. The development build of vlens-widget (the \"development\" export condition, or dist/vlens.dev.js) says why; the README's mountVlens reference lists every argument and option",
            ]
            .concat()
        };
        WidgetError::invalid(message)
    }
}

/// `invalid!(name, part, …)`: [`WidgetError::argument`] for `name`, the parts joined as the
/// development build's message.
macro_rules! invalid {
    ($name:expr, $($part:expr),+ $(,)?) => {
        $crate::error::WidgetError::argument($name, || [$($part),+].concat())
    };
}
pub(crate) use invalid;
