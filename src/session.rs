//! The session state machine, free of the DOM.

use crate::protocol::AppMessage;

/// Where a session is in its life (`session.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for a token from the provider.
    Token,
    /// The iframe is loading the app.
    Loading,
    /// The app said it is ready.
    Ready,
    /// The flow finished.
    Completed,
    /// The user left the flow.
    Cancelled,
    /// A widget error stopped the flow; `refresh()` may recover.
    Error,
    /// `destroy()` was called.
    Destroyed,
}

impl State {
    /// The state as JavaScript sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Token => "token",
            State::Loading => "loading",
            State::Ready => "ready",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
            State::Error => "error",
            State::Destroyed => "destroyed",
        }
    }

    /// Whether the session has ended, so `result` is settled.
    pub fn has_ended(self) -> bool {
        matches!(self, State::Completed | State::Cancelled | State::Destroyed)
    }

    /// Whether `refresh()` may start over from here.
    pub fn can_refresh(self) -> bool {
        !self.has_ended()
    }

    /// Whether a message from the app is acted on in this state.
    ///
    /// Once the flow has ended only `resize` is followed, so the app can size its final screen.
    pub fn accepts(self, msg: &AppMessage) -> bool {
        match self {
            State::Destroyed => false,
            State::Completed | State::Cancelled => matches!(msg, AppMessage::Resize(_)),
            _ => true,
        }
    }

    /// The state after an accepted message.
    pub fn after(self, msg: &AppMessage) -> State {
        match msg {
            AppMessage::Ready => State::Ready,
            AppMessage::Completed => State::Completed,
            AppMessage::Cancelled => State::Cancelled,
            _ => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_move_the_flow_forward() {
        assert_eq!(State::Loading.after(&AppMessage::Ready), State::Ready);
        assert_eq!(State::Ready.after(&AppMessage::Step("kyc".into())), State::Ready);
        assert_eq!(State::Ready.after(&AppMessage::Completed), State::Completed);
        assert_eq!(State::Ready.after(&AppMessage::Cancelled), State::Cancelled);
        assert_eq!(State::Error.after(&AppMessage::Ready), State::Ready);
        let app_error = AppMessage::Error { code: None, message: None, recoverable: None };
        assert_eq!(State::Ready.after(&app_error), State::Ready);
    }

    #[test]
    fn ended_sessions_only_follow_resizes() {
        for s in [State::Completed, State::Cancelled] {
            assert!(s.accepts(&AppMessage::Resize(300.0)));
            assert!(!s.accepts(&AppMessage::Completed));
            assert!(!s.accepts(&AppMessage::TokenExpired));
            assert!(!s.can_refresh());
        }
        assert!(!State::Destroyed.accepts(&AppMessage::Resize(300.0)));
        assert!(State::Error.can_refresh());
        assert!(State::Token.accepts(&AppMessage::Ready));
    }

    #[test]
    fn states_have_their_javascript_names() {
        let all = [
            State::Token,
            State::Loading,
            State::Ready,
            State::Completed,
            State::Cancelled,
            State::Error,
            State::Destroyed,
        ];
        let names: Vec<_> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["token", "loading", "ready", "completed", "cancelled", "error", "destroyed"]);
    }
}
