//! Validation of the browser's `POST /api/vlens/session` body.
//!
//! ```json
//! { "phoneNumber": "+201234567890", "allowedContractTypeIds": [414],
//!   "minimalSignatureFlow": true, "digitalIdentityOnly": false,
//!   "prefill": { "414": { "fullName": "Ahmed Mohamed" } } }
//! ```
//!
//! Every error names the offending field the way the browser spelt it
//! (`phoneNumber`, `allowedContractTypeIds[1]`, `prefill.414.fullName`, ...).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::vlens::{RequestFieldsValues, SessionPermissions};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most contract type ids in one session.
pub const MAX_CONTRACT_TYPE_IDS: usize = 50;
/// Largest contract type id (.NET `int`).
pub const MAX_CONTRACT_TYPE_ID: u64 = i32::MAX as u64;
/// Most pre-filled fields per contract type.
pub const MAX_PREFILL_FIELDS: usize = 100;
/// Longest field key, in characters.
pub const MAX_FIELD_KEY_CHARS: usize = 64;
/// Longest field value, in characters.
pub const MAX_FIELD_VALUE_CHARS: usize = 1000;

/// The fields the browser may send.
pub const KNOWN_FIELDS: [&str; 5] =
    ["phoneNumber", "allowedContractTypeIds", "minimalSignatureFlow", "digitalIdentityOnly", "prefill"];

/// A validated session request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRequest {
    /// The user's phone number, in E.164 form.
    pub phone_number: String,
    /// Contract types and flow options for the session.
    pub permissions: SessionPermissions,
    /// `Some` (and non-empty) when the request asks for an invitation.
    pub prefill: Option<RequestFieldsValues>,
}

/// A 400 answer: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The offending field as the browser spelt it (`body` when the body is not a JSON object).
    pub field: String,
    /// What is wrong, in a sentence for the user.
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// `+` then 7 to 15 digits, the first not 0 (ITU-T E.164).
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// Shortens untrusted text before it is echoed back in an error.
fn shown(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).take(64).collect();
    if text.chars().count() > 64 {
        format!("{clean}...")
    } else {
        clean
    }
}

/// Parses and validates the body. `body` is the raw bytes of the request.
pub fn parse_session_request(body: &[u8]) -> Result<SessionRequest, FieldError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| not_an_object())?;
    parse_session_value(value)
}

/// The error for a body that is not a JSON object.
pub fn not_an_object() -> FieldError {
    err("body", "The request body must be a JSON object.")
}

/// Validates a parsed body.
pub fn parse_session_value(value: Value) -> Result<SessionRequest, FieldError> {
    let Value::Object(obj) = value else {
        return Err(not_an_object());
    };
    if let Some(unknown) = obj.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
        let name = shown(unknown);
        return Err(err(
            name.clone(),
            format!(
                "Unknown field \"{name}\". Expected phoneNumber, allowedContractTypeIds, minimalSignatureFlow, digitalIdentityOnly and optionally prefill."
            ),
        ));
    }

    let phone_number = match obj.get("phoneNumber") {
        None | Some(Value::Null) => return Err(err("phoneNumber", "phoneNumber is required.")),
        Some(Value::String(s)) if is_e164(s) => s.clone(),
        Some(Value::String(_)) => return Err(err(
            "phoneNumber",
            "phoneNumber must be in E.164 form: + then the country code and number, digits only, e.g. +201234567890.",
        )),
        Some(_) => return Err(err("phoneNumber", "phoneNumber must be a string, e.g. \"+201234567890\".")),
    };

    let minimal_signature_flow = optional_bool(&obj, "minimalSignatureFlow")?;
    let digital_identity_only = optional_bool(&obj, "digitalIdentityOnly")?;
    let allowed_contract_type_ids = contract_ids(&obj, digital_identity_only)?;
    let prefill = prefill(&obj, &allowed_contract_type_ids)?;

    Ok(SessionRequest {
        phone_number,
        permissions: SessionPermissions { allowed_contract_type_ids, minimal_signature_flow, digital_identity_only },
        prefill,
    })
}

fn optional_bool(obj: &Map<String, Value>, name: &str) -> Result<bool, FieldError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(err(name, format!("{name} must be true or false."))),
    }
}

fn contract_ids(obj: &Map<String, Value>, digital_identity_only: bool) -> Result<Vec<u32>, FieldError> {
    const NAME: &str = "allowedContractTypeIds";
    let list = match obj.get(NAME) {
        None | Some(Value::Null) if digital_identity_only => return Ok(Vec::new()),
        None | Some(Value::Null) => {
            return Err(err(NAME, "allowedContractTypeIds is required: a list of contract type ids, e.g. [414]."))
        }
        Some(Value::Array(list)) => list,
        Some(_) => return Err(err(NAME, "allowedContractTypeIds must be a list of contract type ids, e.g. [414].")),
    };
    if list.is_empty() && !digital_identity_only {
        return Err(err(
            NAME,
            "allowedContractTypeIds needs at least one contract type id (or set digitalIdentityOnly).",
        ));
    }
    if list.len() > MAX_CONTRACT_TYPE_IDS {
        return Err(err(NAME, format!("allowedContractTypeIds has at most {MAX_CONTRACT_TYPE_IDS} entries.")));
    }
    let mut ids = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let id = item.as_u64().filter(|id| (1..=MAX_CONTRACT_TYPE_ID).contains(id)).ok_or_else(|| {
            err(
                format!("{NAME}[{i}]"),
                format!("Contract type ids are whole numbers from 1 to {MAX_CONTRACT_TYPE_ID}."),
            )
        })?;
        // Cannot fail: checked against i32::MAX above.
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn prefill(obj: &Map<String, Value>, allowed: &[u32]) -> Result<Option<RequestFieldsValues>, FieldError> {
    let map = match obj.get("prefill") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(err(
            "prefill",
            "prefill must be an object keyed by contract type id, then field key: {\"414\": {\"fullName\": \"...\"}}.",
        )),
    };
    if map.is_empty() {
        // Nothing to pre-fill: a plain auth session.
        return Ok(None);
    }
    let mut out: RequestFieldsValues = BTreeMap::new();
    for (key, fields) in map {
        let path = format!("prefill.{}", shown(key));
        let id = parse_contract_key(key).ok_or_else(|| {
            err(path.clone(), "prefill is keyed by contract type id: a whole number such as \"414\".")
        })?;
        if !allowed.contains(&id) {
            return Err(err(path, format!("Contract type {id} is not in allowedContractTypeIds.")));
        }
        let Value::Object(fields) = fields else {
            return Err(err(path, "Each contract's prefill must be an object of field key to text value."));
        };
        if fields.is_empty() {
            return Err(err(path, "Give at least one field to pre-fill."));
        }
        if fields.len() > MAX_PREFILL_FIELDS {
            return Err(err(path, format!("At most {MAX_PREFILL_FIELDS} fields per contract type.")));
        }
        let mut values = BTreeMap::new();
        for (field_key, value) in fields {
            let field_path = format!("{path}.{}", shown(field_key));
            let chars = field_key.chars().count();
            if chars == 0 || chars > MAX_FIELD_KEY_CHARS {
                return Err(err(field_path, format!("Field keys are 1 to {MAX_FIELD_KEY_CHARS} characters.")));
            }
            if field_key.chars().any(char::is_control) || field_key.trim() != field_key {
                return Err(err(field_path, "Field keys have no control characters and no surrounding spaces."));
            }
            let Value::String(text) = value else {
                return Err(err(field_path, "Pre-filled values are strings, e.g. \"5000\"."));
            };
            if text.chars().count() > MAX_FIELD_VALUE_CHARS {
                return Err(err(
                    field_path,
                    format!("Pre-filled values are at most {MAX_FIELD_VALUE_CHARS} characters."),
                ));
            }
            if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(err(field_path, "Pre-filled values have no control characters."));
            }
            values.insert(field_key.clone(), text.clone());
        }
        out.insert(id, values);
    }
    Ok(Some(out))
}

/// `"414"` → 414; no sign, no leading zero, within .NET `int`.
fn parse_contract_key(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || key.starts_with('0') || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>().ok().filter(|id| (1..=MAX_CONTRACT_TYPE_ID).contains(id)).and_then(|id| u32::try_from(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> String {
        parse_session_request(body.as_bytes()).unwrap_err().field
    }

    #[test]
    fn e164() {
        for ok in ["+201234567890", "+1234567", "+123456789012345"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in
            ["201234567890", "+0123456789", "+123456", "+1234567890123456", "+20 123 456", "+20-1234567", "", "+"]
        {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn accepts_minimal_and_full_bodies() {
        let r =
            parse_session_request(br#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414,414,7]}"#).unwrap();
        assert_eq!(r.permissions.allowed_contract_type_ids, vec![414, 7]);
        assert!(!r.permissions.minimal_signature_flow && !r.permissions.digital_identity_only);
        assert_eq!(r.prefill, None);

        let r = parse_session_request(
            br#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"minimalSignatureFlow":true,
                 "digitalIdentityOnly":false,"prefill":{"414":{"fullName":"Ahmed Mohamed","monthlyIncome":"5000"}}}"#,
        )
        .unwrap();
        assert!(r.permissions.minimal_signature_flow);
        assert_eq!(r.prefill.unwrap()[&414]["monthlyIncome"], "5000");

        let r = parse_session_request(br#"{"phoneNumber":"+201234567890","digitalIdentityOnly":true}"#).unwrap();
        assert!(r.permissions.allowed_contract_type_ids.is_empty());
        let r = parse_session_request(br#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{}}"#)
            .unwrap();
        assert_eq!(r.prefill, None);
    }

    #[test]
    fn names_the_field() {
        assert_eq!(field_of("nope"), "body");
        assert_eq!(field_of("[]"), "body");
        assert_eq!(field_of(r#"{"allowedContractTypeIds":[1]}"#), "phoneNumber");
        assert_eq!(field_of(r#"{"phoneNumber":201234567890,"allowedContractTypeIds":[1]}"#), "phoneNumber");
        assert_eq!(field_of(r#"{"phoneNumber":"0123","allowedContractTypeIds":[1]}"#), "phoneNumber");
        assert_eq!(field_of(r#"{"phoneNumber":"+201234567890"}"#), "allowedContractTypeIds");
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[]}"#),
            "allowedContractTypeIds"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":"414"}"#),
            "allowedContractTypeIds"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1,0]}"#),
            "allowedContractTypeIds[1]"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[-3]}"#),
            "allowedContractTypeIds[0]"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1.5]}"#),
            "allowedContractTypeIds[0]"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[2147483648]}"#),
            "allowedContractTypeIds[0]"
        );
        let many: Vec<String> = (1..=51).map(|i| i.to_string()).collect();
        assert_eq!(
            field_of(&format!(r#"{{"phoneNumber":"+201234567890","allowedContractTypeIds":[{}]}}"#, many.join(","))),
            "allowedContractTypeIds"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"minimalSignatureFlow":"yes"}"#),
            "minimalSignatureFlow"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"digitalIdentityOnly":1}"#),
            "digitalIdentityOnly"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"DigitalIdentityOnly":true}"#),
            "DigitalIdentityOnly"
        );
        assert_eq!(field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":[]}"#), "prefill");
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{"x":{"a":"b"}}}"#),
            "prefill.x"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{"2":{"a":"b"}}}"#),
            "prefill.2"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{"1":{}}}"#),
            "prefill.1"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{"1":{"a":5}}}"#),
            "prefill.1.a"
        );
        assert_eq!(
            field_of(r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{"1":{"":"x"}}}"#),
            "prefill.1."
        );
        let long = "x".repeat(MAX_FIELD_VALUE_CHARS + 1);
        assert_eq!(
            field_of(&format!(
                r#"{{"phoneNumber":"+201234567890","allowedContractTypeIds":[1],"prefill":{{"1":{{"a":"{long}"}}}}}}"#
            )),
            "prefill.1.a"
        );
    }
}
