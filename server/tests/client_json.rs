//! The typed client's JSON against the shapes in the Vlens documentation
//! ("Iframe Integration"), and its HTTP behaviour against a recording upstream.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use common::*;
use vlens_server::vlens::*;

/// The `-d` body of the documentation's CreateAuthSession example, verbatim.
const DOC_AUTH_SESSION: &str = r#"{
    "phoneNumber": "+201234567890",
    "sessionPermissions": {
      "allowedContractTypeIds": [414],
      "minimalSignatureFlow": true,
      "DigitalIdentityOnly": false
    }
  }"#;

/// The `-d` body of the documentation's CreateInvitation example, verbatim.
const DOC_INVITATION: &str = r#"{
    "SessionInput": {
      "phoneNumber": "+201234567890",
      "sessionPermissions": {
        "allowedContractTypeIds": [414],
        "minimalSignatureFlow": true,
        "DigitalIdentityOnly": false
      },
      "RequestFieldsValues": {
        "414": {
          "fullName": "Ahmed Mohamed",
          "monthlyIncome": "5000"
        }
      }
    }
  }"#;

fn doc_permissions() -> SessionPermissions {
    SessionPermissions {
        allowed_contract_type_ids: vec![414],
        minimal_signature_flow: true,
        digital_identity_only: false,
    }
}

fn doc_auth_request() -> CreateAuthSessionRequest {
    CreateAuthSessionRequest { phone_number: "+201234567890".into(), session_permissions: doc_permissions() }
}

fn doc_invitation_request() -> CreateInvitationRequest {
    let fields = BTreeMap::from([
        ("fullName".to_string(), "Ahmed Mohamed".to_string()),
        ("monthlyIncome".to_string(), "5000".to_string()),
    ]);
    CreateInvitationRequest {
        session_input: SessionInput {
            phone_number: "+201234567890".into(),
            session_permissions: doc_permissions(),
            request_fields_values: BTreeMap::from([(414, fields)]),
        },
    }
}

#[test]
fn auth_session_request_serializes_to_the_documented_json() {
    let ours = serde_json::to_value(doc_auth_request()).unwrap();
    let doc: Value = serde_json::from_str(DOC_AUTH_SESSION).unwrap();
    assert_eq!(ours, doc);
    // And the documented JSON reads back into the same value.
    assert_eq!(serde_json::from_str::<CreateAuthSessionRequest>(DOC_AUTH_SESSION).unwrap(), doc_auth_request());
}

#[test]
fn invitation_request_serializes_to_the_documented_json() {
    let ours = serde_json::to_value(doc_invitation_request()).unwrap();
    let doc: Value = serde_json::from_str(DOC_INVITATION).unwrap();
    assert_eq!(ours, doc);
    assert_eq!(serde_json::from_str::<CreateInvitationRequest>(DOC_INVITATION).unwrap(), doc_invitation_request());
}

#[test]
fn field_names_are_exactly_the_documented_ones() {
    let text = serde_json::to_string(&doc_invitation_request()).unwrap();
    for name in [
        "\"SessionInput\"",
        "\"phoneNumber\"",
        "\"sessionPermissions\"",
        "\"allowedContractTypeIds\"",
        "\"minimalSignatureFlow\"",
        "\"DigitalIdentityOnly\"",
        "\"RequestFieldsValues\"",
        "\"414\"",
    ] {
        assert!(text.contains(name), "{name} missing in {text}");
    }
    assert!(!text.contains("digitalIdentityOnly"));
}

#[test]
fn token_is_read_from_data() {
    assert_eq!(parse_token_response(br#"{"data":"SESSION_TOKEN"}"#).unwrap(), "SESSION_TOKEN");
    let parsed: SessionTokenResponse = serde_json::from_value(json!({ "data": "t", "message": null })).unwrap();
    assert_eq!(parsed.data.as_deref(), Some("t"));
    assert!(matches!(parse_token_response(br#"{"token":"t"}"#), Err(VlensError::InvalidResponse(_))));
}

#[tokio::test]
async fn create_auth_session_sends_documented_headers_and_body() {
    let (url, rec) = spawn_recorder(200, r#"{"data":"tok-1"}"#, Duration::ZERO).await;
    let client = VlensClient::new(&url, Secret::new(API_KEY)).unwrap();
    assert_eq!(client.create_auth_session(&doc_auth_request()).await.unwrap(), "tok-1");

    let reqs = rec.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/IdentityUserSession/CreateAuthSession");
    assert_eq!(r.header("ApiKey"), Some(API_KEY));
    assert_eq!(r.header("Authorization"), None);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.json(), serde_json::from_str::<Value>(DOC_AUTH_SESSION).unwrap());
}

#[tokio::test]
async fn create_invitation_sends_documented_headers_and_body() {
    let (url, rec) = spawn_recorder(200, r#"{"data":"tok-2"}"#, Duration::ZERO).await;
    let client = VlensClient::new(&format!("{url}/"), Secret::new(API_KEY)).unwrap();
    let token = client.create_invitation(&doc_invitation_request(), &Secret::new(ADMIN_TOKEN)).await.unwrap();
    assert_eq!(token, "tok-2");

    let r = &rec.requests()[0];
    assert_eq!(r.path, "/api/IdentityUserSession/CreateInvitation");
    assert_eq!(r.header("ApiKey"), Some(API_KEY));
    assert_eq!(r.header("Authorization"), Some(format!("Bearer {ADMIN_TOKEN}").as_str()));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.json(), serde_json::from_str::<Value>(DOC_INVITATION).unwrap());
}

#[tokio::test]
async fn errors_hold_no_secret() {
    let admin = Secret::new(ADMIN_TOKEN);

    let (url, _) = spawn_recorder(401, &format!(r#"{{"message":"bad key {API_KEY}"}}"#), Duration::ZERO).await;
    let client = VlensClient::new(&url, Secret::new(API_KEY)).unwrap();
    let err = client.create_invitation(&doc_invitation_request(), &admin).await.unwrap_err();
    assert!(matches!(err, VlensError::Status(401)), "{err:?}");
    assert_no_secrets(&format!("{err} {err:?}"));

    let (url, _) = spawn_recorder(200, r#"{"data":"late"}"#, Duration::from_secs(3)).await;
    let client = VlensClient::builder(&url, Secret::new(API_KEY)).timeout(Duration::from_millis(200)).build().unwrap();
    let err = client.create_auth_session(&doc_auth_request()).await.unwrap_err();
    assert!(matches!(err, VlensError::Timeout(_)), "{err:?}");

    let (url, _) = spawn_recorder(200, "not json", Duration::ZERO).await;
    let client = VlensClient::new(&url, Secret::new(API_KEY)).unwrap();
    let err = client.create_auth_session(&doc_auth_request()).await.unwrap_err();
    assert!(matches!(err, VlensError::InvalidResponse(_)), "{err:?}");

    // Nothing listens on a port we just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = VlensClient::new(&format!("http://127.0.0.1:{port}"), Secret::new(API_KEY)).unwrap();
    let err = client.create_auth_session(&doc_auth_request()).await.unwrap_err();
    assert!(matches!(err, VlensError::Network(_)), "{err:?}");
    assert_no_secrets(&format!("{err} {err:?} {client:?}"));
    // The reqwest error is kept as the source, without the URL; the chain names the cause.
    let source = std::error::Error::source(&err).expect("the reqwest error is the source");
    assert!(source.downcast_ref::<reqwest::Error>().is_some_and(|e| e.url().is_none()), "{source:?}");
    let chain = vlens_server::vlens::error_chain(&err);
    assert!(chain.starts_with("could not reach Vlens: ") && chain.to_lowercase().contains("refused"), "{chain}");
    assert!(!chain.contains(&port.to_string()), "{chain}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    // A redirect would carry the ApiKey to wherever it points.
    let (url, _) = spawn_recorder(307, "{}", Duration::ZERO).await;
    let client = VlensClient::new(&url, Secret::new(API_KEY)).unwrap();
    let err = client.create_auth_session(&doc_auth_request()).await.unwrap_err();
    assert!(matches!(err, VlensError::Status(307)), "{err:?}");
}
