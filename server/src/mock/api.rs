//! The mock's API: `CreateAuthSession` and `CreateInvitation`, answering errors in
//! Vlens's shape (`{"data": null, "message": ..., "errors": {...}}`).

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::MockState;
use crate::error::{JsonBody, JsonBodyRejection};
use crate::telemetry::LogNote;
use crate::validate::{is_e164, MAX_CONTRACT_TYPE_ID, MAX_CONTRACT_TYPE_IDS};
use crate::vlens::{CreateAuthSessionRequest, CreateInvitationRequest, RequestFieldsValues, SessionPermissions};

/// An error answer of the mock API.
#[derive(Debug)]
pub enum MockApiError {
    /// 401: a credential is missing or wrong.
    Unauthorized(&'static str),
    /// 415: the body is not declared JSON.
    NotJson,
    /// 413: the body is over 64 KiB.
    TooLarge,
    /// 408: the body did not arrive in time.
    BodyTimeout,
    /// 400: a field is invalid (`$` for the body as a whole).
    Validation {
        /// The field, e.g. `phoneNumber`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// 503: the live sessions fill the cap.
    Full,
}

fn validation(field: impl Into<String>, message: impl Into<String>) -> MockApiError {
    MockApiError::Validation { field: field.into(), message: message.into() }
}

impl From<JsonBodyRejection> for MockApiError {
    fn from(rejection: JsonBodyRejection) -> Self {
        match rejection {
            JsonBodyRejection::NotJson => MockApiError::NotJson,
            JsonBodyRejection::TooLarge => MockApiError::TooLarge,
            JsonBodyRejection::TimedOut => MockApiError::BodyTimeout,
            JsonBodyRejection::Unreadable => validation("$", "The request body could not be read."),
            // serde's message (it may quote the body): answered, never logged.
            JsonBodyRejection::Malformed(e) => validation("$", e.to_string()),
        }
    }
}

impl IntoResponse for MockApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            MockApiError::Unauthorized(message) => {
                (StatusCode::UNAUTHORIZED, json!({ "data": null, "message": message }))
            }
            MockApiError::NotJson => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "data": null, "message": "Content-Type must be application/json." }),
            ),
            MockApiError::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, json!({ "data": null, "message": "The request body is too large." }))
            }
            MockApiError::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                json!({ "data": null, "message": "The request body did not arrive in time." }),
            ),
            MockApiError::Validation { field, message } => (
                StatusCode::BAD_REQUEST,
                json!({
                    "data": null,
                    "message": "One or more validation errors occurred.",
                    "errors": { field: [message] },
                }),
            ),
            MockApiError::Full => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({ "data": null, "message": "Too many sessions." }))
            }
        };
        let mut res = (status, Json(body)).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `ApiKey` header matched: checked before the body is read.
pub struct ApiKey;

impl FromRequestParts<Arc<MockState>> for ApiKey {
    type Rejection = MockApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<MockState>) -> Result<Self, MockApiError> {
        match header_str(&parts.headers, "ApiKey") {
            Some(key) if state.config.api_key.matches(key) => Ok(ApiKey),
            Some(_) => Err(MockApiError::Unauthorized("Invalid ApiKey.")),
            None => Err(MockApiError::Unauthorized("Missing ApiKey header.")),
        }
    }
}

/// The admin bearer token matched: checked before the body is read.
pub struct AdminToken;

impl FromRequestParts<Arc<MockState>> for AdminToken {
    type Rejection = MockApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<MockState>) -> Result<Self, MockApiError> {
        let Some(value) = header_str(&parts.headers, "Authorization") else {
            return Err(MockApiError::Unauthorized("Missing Authorization header (Bearer admin token)."));
        };
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, token)| token.trim());
        match token {
            Some(token) if state.config.admin_token.matches(token) => Ok(AdminToken),
            _ => Err(MockApiError::Unauthorized("Invalid admin bearer token.")),
        }
    }
}

fn check_request(prefix: &str, phone: &str, permissions: &SessionPermissions) -> Result<(), MockApiError> {
    if !is_e164(phone) {
        return Err(validation(format!("{prefix}phoneNumber"), "The phone number must be in E.164 form."));
    }
    let ids = &permissions.allowed_contract_type_ids;
    let field = format!("{prefix}sessionPermissions.allowedContractTypeIds");
    if ids.is_empty() && !permissions.digital_identity_only {
        return Err(validation(field, "At least one contract type id is required."));
    }
    if ids.len() > MAX_CONTRACT_TYPE_IDS || ids.iter().any(|&id| id == 0 || u64::from(id) > MAX_CONTRACT_TYPE_ID) {
        return Err(validation(field, "Contract type ids must be positive integers."));
    }
    Ok(())
}

/// `{"data": token}`, noting the endpoint for the log line.
fn token_answer(token: Option<String>, endpoint: &'static str) -> Result<Response, MockApiError> {
    let token = token.ok_or(MockApiError::Full)?;
    let mut res = Json(json!({ "data": token })).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.extensions_mut().insert(LogNote(endpoint));
    Ok(res)
}

/// `POST /api/IdentityUserSession/CreateAuthSession`.
pub async fn create_auth_session(
    State(state): State<Arc<MockState>>,
    _: ApiKey,
    JsonBody(req, _): JsonBody<CreateAuthSessionRequest, MockApiError>,
) -> Result<Response, MockApiError> {
    check_request("", &req.phone_number, &req.session_permissions)?;
    let token = state.insert(false, req.phone_number, req.session_permissions, RequestFieldsValues::new());
    token_answer(token, "CreateAuthSession")
}

/// `POST /api/IdentityUserSession/CreateInvitation`.
pub async fn create_invitation(
    State(state): State<Arc<MockState>>,
    _: ApiKey,
    _: AdminToken,
    JsonBody(req, _): JsonBody<CreateInvitationRequest, MockApiError>,
) -> Result<Response, MockApiError> {
    let input = req.session_input;
    check_request("SessionInput.", &input.phone_number, &input.session_permissions)?;
    for (id, fields) in &input.request_fields_values {
        let field = format!("SessionInput.RequestFieldsValues.{id}");
        if !input.session_permissions.allowed_contract_type_ids.contains(id) {
            return Err(validation(field, "Contract type is not in allowedContractTypeIds."));
        }
        if fields.is_empty() || fields.keys().any(|k| k.is_empty()) {
            return Err(validation(field, "Give field keys and values."));
        }
    }
    let token = state.insert(true, input.phone_number, input.session_permissions, input.request_fields_values);
    token_answer(token, "CreateInvitation")
}
